import Foundation
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents

#if canImport(Glibc)
import Glibc
#endif

/// The shared setting of a process pair under test: one configuration (a free loopback port, the subscriber and
/// control sockets in a temporary folder, a short heartbeat), and the `trapmux serve --pair ROLE` children started
/// with it.
final class RunningPair: @unchecked Sendable {
    let folder: TemporaryDirectory
    let port: Int
    let socketPath: String
    let controlPath: String
    let configurationFile: URL
    private var children: [ChildProcess] = []

    /// A configuration with `heartbeat`, `ring` and any further TOML (`extra`, tables only).
    init(heartbeat: String = "200ms", ring: Int = 10_000, extra: String = "") throws {
        folder = try TemporaryDirectory("trapmux-pair")
        port = try FreePort.udp()
        socketPath = folder.url.appendingPathComponent("trapmux.sock").path
        controlPath = folder.url.appendingPathComponent("pair.sock").path
        let text = """
            state_dir = "\(folder.url.appendingPathComponent("state").path)"
            listen = ["127.0.0.1:\(port)"]
            drain_timeout = "1s"
            [mibs]
            enabled = false
            [subscribers]
            socket = "\(socketPath)"
            [pair]
            control = "\(controlPath)"
            heartbeat = "\(heartbeat)"
            ring = \(ring)

            """ + extra
        configurationFile = try folder.file("trapmux.toml", Array(text.utf8))
    }

    /// Every child that is still running is killed, and the folder removed.
    deinit {
        for child in children { child.signal(SIGKILL) }
        folder.remove()
    }

    /// Starts `trapmux serve --pair role` named `name`.
    func start(_ role: PairRole, name: String) throws -> ChildProcess {
        let child = try TrapMuxBinary.start([
            "serve", "--config", configurationFile.path, "--pair", role.rawValue, "--name", name,
        ])
        children.append(child)
        return child
    }

    /// Starts a primary and waits for its 102.
    func startPrimary(name: String = "primary") async throws -> ChildProcess {
        let child = try start(.primary, name: name)
        try await expect(child, logs: "current state: started")
        return child
    }

    /// Starts a backup and waits until it is paired (its 102 with `current state: backup`).
    func startBackup(name: String = "backup") async throws -> ChildProcess {
        let child = try start(.backup, name: name)
        try await expect(child, logs: "current state: backup")
        return child
    }

    /// Waits (bounded) until `child` logged `text` `occurrences` times; fails with its output otherwise.
    func expect(
        _ child: ChildProcess, logs text: String, occurrences: Int = 1, timeout: Duration = .seconds(20)
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = String(decoding: child.standardErrorSoFar, as: UTF8.self)
            if log.components(separatedBy: text).count - 1 >= occurrences { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RunningServer.ServerFailure(
            description: "no '\(text)' ×\(occurrences) within \(timeout): \(String(decoding: child.standardErrorSoFar, as: UTF8.self))")
    }

    /// `trapmux pair status`, decoded.
    func status() async throws -> [String: Any] {
        let result = try await TrapMuxBinary.run(["pair", "status", "--control", controlPath], timeout: .seconds(10))
        guard result.exited(0), let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let pair = object["pair"] as? [String: Any]
        else { throw RunningServer.ServerFailure(description: "pair status: \(result)") }
        return pair
    }

    /// Waits (bounded) until the kernel shows `pid` stopped (state T in /proc/PID/stat).
    static func waitUntilStopped(_ pid: Int32, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "T"
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Sends `datagrams` to the pair's port.
    func send(_ datagrams: [[UInt8]]) throws {
        try UDPSender().send(datagrams, to: port)
    }
}

extension TestTraps {
    /// SNMPv2c linkDown traps numbered by their request-ids, so what arrives can be told apart.
    static func numbered(_ ids: some Sequence<Int32>) -> [[UInt8]] {
        ids.map { v2c(.linkDown, requestID: $0) }
    }
}
