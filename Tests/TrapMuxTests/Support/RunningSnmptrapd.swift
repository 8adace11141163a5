import Foundation

#if canImport(Glibc)
import Glibc
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML
#endif

/// net-snmp's snmptrapd as an upstream manager: in the foreground (`-f`), a child of the test like any other,
/// on a free loopback port, logging every notification to a file in a temporary folder.
final class RunningSnmptrapd: @unchecked Sendable {
    static let executable = URL(fileURLWithPath: "/usr/sbin/snmptrapd")

    let process: ChildProcess
    let port: Int
    let folder: TemporaryDirectory
    let logPath: String

    /// Community "public" may log and is answered (informs); no other access control.
    static let communityConfiguration = "authCommunity log,execute,net public\ndisableAuthorization yes\n"

    /// Starts snmptrapd with `configuration` (snmptrapd.conf lines; SNMPv3 users as `createUser`/`authUser`) and
    /// waits (at most 10 s) until it has opened its port. Its persistent state (snmpEngineBoots, users) stays in its
    /// own folder, never in /var/lib/snmp.
    init(configuration: String = communityConfiguration) async throws {
        folder = try TemporaryDirectory("snmptrapd")
        port = try FreePort.udp()
        logPath = folder.url.appendingPathComponent("snmptrapd.log").path
        let conf = try folder.file("snmptrapd.conf", Array(configuration.utf8))
        process = ChildProcess(
            Self.executable,
            [
                "-f", "-Lf", logPath, "-n", "-C", "-c", conf.path, "-M", "/usr/share/snmp/mibs:/usr/share/trapmux/mibs",
                "-m", "ALL", "127.0.0.1:\(port)",
            ],
            environment: ["SNMP_PERSISTENT_DIR": folder.url.appendingPathComponent("persistent").path])
        try process.start()
        // snmptrapd logs its version once its transports are open, i.e. once it can receive.
        let deadline = ContinuousClock.now + .seconds(10)
        while !logText.contains("NET-SNMP version") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                process.signal(SIGKILL)
                let result = await process.wait(timeout: .seconds(5))
                let log = logText
                folder.remove()
                throw RunningServer.ServerFailure(description: "snmptrapd did not start: \(result); log: \(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The log as written so far.
    var logText: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The notifications logged so far, each as its varbinds: name → "TYPE: value", as snmptrapd prints them
    /// (a header line, then one line of tab-separated `NAME = TYPE: value` per notification).
    var records: [[String: String]] {
        logText.split(separator: "\n").filter { $0.contains("snmpTrapOID.0 = ") }.map { line in
            var varbinds: [String: String] = [:]
            for field in line.split(separator: "\t") {
                guard let separator = field.range(of: " = ") else { continue }
                varbinds[String(field[..<separator.lowerBound])] = String(field[separator.upperBound...])
            }
            return varbinds
        }
    }

    /// The records once at least `count` were logged, or those logged when `timeout` passed.
    func waitForRecords(_ count: Int, timeout: Duration) async -> [[String: String]] {
        let deadline = ContinuousClock.now + timeout
        var logged = records
        while logged.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            logged = records
        }
        return logged
    }

    /// Stops snmptrapd with SIGTERM (SIGKILL after 10 s) and removes its folder.
    func stop() async -> ChildProcess.Result {
        process.signal(SIGTERM)
        let result = await process.wait(timeout: .seconds(10))
        folder.remove()
        return result
    }
}
