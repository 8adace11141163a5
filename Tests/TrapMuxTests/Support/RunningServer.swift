import Foundation
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

#if canImport(Glibc)
import Glibc
#endif

/// A `trapmux serve` child on a free loopback port with its socket in a temporary folder.
final class RunningServer: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let socketPath: String
    let folder: TemporaryDirectory
    let name: String
    /// The file passed with --config: a test may rewrite it and send SIGHUP.
    let configurationFile: URL

    /// Starts the server and waits for event 102; `configuration` is written to a file and passed with --config;
    /// `environment` is added to the child's (NOTIFY_SOCKET, WATCHDOG_USEC, test hooks).
    init(
        name: String = "testmux", configuration: String? = nil, socketPath: String? = nil, stateDirectory: String? = nil,
        environment: [String: String] = [:]
    ) async throws {
        folder = try TemporaryDirectory("trapmux-server")
        port = try FreePort.udp()
        self.socketPath = socketPath ?? folder.url.appendingPathComponent("trapmux.sock").path
        self.name = name
        var arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--socket", self.socketPath, "--name", name]
        // Without a configuration of its own a test gets numeric OIDs, so texts can be compared with SPEC §5 exactly.
        // snmpEngineBoots lives in the test's folder (top-level keys come before any table).
        let stateDirectory = stateDirectory ?? folder.url.appendingPathComponent("state").path
        let text = "state_dir = \"\(stateDirectory)\"\n" + (configuration ?? "[mibs]\nenabled = false\n")
        let file = try folder.file("trapmux.toml", Array(text.utf8))
        configurationFile = file
        arguments += ["--config", file.path]
        process = try TrapMuxBinary.start(arguments, environment: environment)
        guard await process.waitForOutput(containing: "Process-Started", inStandardError: true, timeout: .seconds(20)) else {
            process.signal(SIGKILL)
            let result = await process.wait(timeout: .seconds(5))
            throw ServerFailure(description: "the server did not start: \(result)")
        }
    }

    /// A test that failed before `stop()` must not leave its server running (a no-op once it has stopped).
    deinit {
        process.signal(SIGKILL)
    }

    /// Stops with SIGTERM and returns how it ended.
    func stop() async -> ChildProcess.Result {
        process.signal(SIGTERM)
        let result = await process.wait(timeout: .seconds(15))
        folder.remove()
        return result
    }

    /// Replaces the configuration file and sends SIGHUP; the caller waits for the outcome in standard error.
    func reload(with configuration: String) throws {
        try Data(configuration.utf8).write(to: configurationFile, options: .atomic)
        process.signal(SIGHUP)
    }

    /// Waits (bounded) until standard error has shown `text` `occurrences` times.
    func waitForLog(_ text: String, occurrences: Int = 1, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = String(decoding: process.standardErrorSoFar, as: UTF8.self)
            if log.components(separatedBy: text).count - 1 >= occurrences { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Standard error so far, as text.
    var standardError: String { String(decoding: process.standardErrorSoFar, as: UTF8.self) }

    /// A connection to the subscriber socket.
    func connect() throws -> TestSubscriber {
        try TestSubscriber(path: socketPath)
    }

    /// Sends datagrams to the server, pacing so the kernel's receive buffer never overflows.
    func send(_ datagrams: [[UInt8]], perBurst: Int = 20) throws {
        let client = try UDPClient(to: HostPort(host: "127.0.0.1", port: port))
        for (index, datagram) in datagrams.enumerated() {
            try client.send(datagram)
            if index % perBurst == perBurst - 1 { usleep(5_000) }
        }
    }

    struct ServerFailure: Error, CustomStringConvertible {
        let description: String
    }
}

/// A subscriber connection for tests: sends requests, reads lines with a deadline.
final class TestSubscriber {
    private let client: LineSocketClient

    init(path: String) throws {
        client = try LineSocketClient(path: path)
        client.setReadTimeout(seconds: 10)
    }

    func send(_ line: String) throws {
        try client.send(line)
    }

    /// Subscribes and returns the `subscribed` answer.
    @discardableResult
    func subscribe(_ body: String = #"{"format": "json", "process_events": false}"#) throws -> [String: Any] {
        try send(#"{"subscribe": "# + body + "}")
        return try readObject()
    }

    /// The next line as text; throws on timeout or end of stream.
    func readLine() throws -> String {
        guard let line = try client.readLine() else { throw TestSubscriberError.closed }
        return String(decoding: line, as: UTF8.self)
    }

    /// The next line as a JSON object.
    func readObject() throws -> [String: Any] {
        let line = try readLine()
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestSubscriberError.notAnObject(line)
        }
        return object
    }

    /// The next `count` trap events.
    func readTraps(_ count: Int) throws -> [[String: Any]] {
        var traps: [[String: Any]] = []
        while traps.count < count {
            let object = try readObject()
            if object["type"] as? String == "trap" { traps.append(object) }
        }
        return traps
    }
}

enum TestSubscriberError: Error {
    case closed
    case notAnObject(String)
}

/// Finds a port on 127.0.0.1 that nothing uses right now.
enum FreePort {
    /// A UDP port (listeners, relay targets).
    static func udp() throws -> Int {
        try free(Int32(SOCK_DGRAM.rawValue))
    }

    /// A TCP port (the metrics endpoint).
    static func tcp() throws -> Int {
        try free(Int32(SOCK_STREAM.rawValue))
    }

    /// The port the kernel picks for a socket of `type` bound to 127.0.0.1:0.
    private static func free(_ type: Int32) throws -> Int {
        let fd = socket(AF_INET, type, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw RunningServer.ServerFailure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Holds a UDP port on 127.0.0.1 (without SO_REUSEADDR) until closed, so binding it fails.
    static func occupy(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return fd
    }
}

/// Builds test notifications.
enum TestTraps {
    static let ifIndex2 = OID("1.3.6.1.2.1.2.2.1.1.2")!

    static func v1(_ generic: GenericTrap, community: String = "public", specific: Int32 = 0) -> [UInt8] {
        let trap = TrapV1PDU(
            enterprise: OID("1.3.6.1.4.1.8072.3.2.10")!, agentAddress: IPv4Address("192.0.2.7")!,
            genericTrap: generic.rawValue, specificTrap: generic == .enterpriseSpecific ? specific : 0, timeStamp: 4242,
            varbinds: [VarBind(oid: ifIndex2, value: .integer(2))])
        return TrapMessage(version: .v1, community: Array(community.utf8)[...], pdu: .trapV1(trap)).encoded()!
    }

    static func v2c(_ generic: GenericTrap, requestID: Int32 = 7, inform: Bool = false, community: String = "public") -> [UInt8] {
        let trapOID = generic.standardTrapOID ?? OID("1.3.6.1.4.1.8072.2.3.0.17")!
        let pdu = NotificationPDU(
            requestID: requestID,
            varbinds: [
                VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(4242)),
                VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)),
                VarBind(oid: ifIndex2, value: .integer(2)),
            ])
        return TrapMessage(version: .v2c, community: Array(community.utf8)[...], pdu: inform ? .inform(pdu) : .trapV2(pdu))
            .encoded()!
    }
}
