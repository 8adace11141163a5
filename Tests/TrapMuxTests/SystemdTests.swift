import Foundation
import Testing

@testable import TrapMuxServer

#if canImport(Glibc)
import Glibc
#endif

/// trapmux under systemd: the notification protocol over a real `$NOTIFY_SOCKET` the test binds, the loop watchdog
/// (pings from the receive loop, and the stall that ends the process with 101 Loop-timer-timeout), and the unit file.
@Suite("systemd and the loop watchdog")
struct SystemdTests {
    /// A server started with `$NOTIFY_SOCKET` at `socket` and systemd's watchdog at 200 ms (pings every 100 ms).
    private static func server(
        notifying socket: NotifySocket, configuration: String = "", extra: [String: String] = [:]
    ) async throws -> RunningServer {
        try await RunningServer(
            configuration: configuration + "[mibs]\nenabled = false\n",
            environment: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "200000"].merging(extra) { $1 })
    }

    @Test(.timeLimit(.minutes(1)))
    func readyReloadingStoppingAndWatchdogPingsReachTheNotifySocket() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let notify = try NotifySocket(folder.url.appendingPathComponent("notify").path)
        defer { notify.stop() }
        let server = try await Self.server(notifying: notify)
        let ready = try #require(await notify.wait(for: "READY"))
        #expect(ready.fields["STATUS"]?.contains("receiving traps on 127.0.0.1:\(server.port)") == true, "\(ready)")

        // WATCHDOG=1 every 100 ms from the receive loop.
        try await Task.sleep(for: .seconds(1))
        let pings = notify.messages.filter { $0.fields["WATCHDOG"] == "1" }
        #expect(pings.count >= 4, "\(pings.count) pings in about a second")

        let before = notify.messages.count
        server.process.signal(SIGHUP)
        let reloading = try #require(await notify.wait(for: "RELOADING", after: before))
        let stamp = try #require(reloading.fields["MONOTONIC_USEC"].flatMap(Int64.init))
        #expect(abs(stamp - Self.monotonicMicroseconds()) < 10_000_000, "MONOTONIC_USEC is CLOCK_MONOTONIC")
        let reloadingIndex = notify.messages.firstIndex { $0.fields["RELOADING"] == "1" } ?? before
        #expect(await notify.wait(for: "READY", after: reloadingIndex + 1) != nil)

        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
        let stopping = try #require(await notify.wait(for: "STOPPING", timeout: .seconds(2)))
        #expect(stopping.fields["STATUS"] != nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func anAbstractNotifySocketWorksToo() async throws {
        let notify = try NotifySocket("@trapmux-test-\(UUID().uuidString)")
        defer { notify.stop() }
        let server = try await Self.server(notifying: notify)
        #expect(await notify.wait(for: "READY") != nil)
        #expect(await server.stop().exited(0))
    }

    /// The test-only SIGUSR2 ($TRAPMUX_TEST_LOOP_STALL=1) blocks the receive loop: the pings stop at once, and the
    /// monitor thread ends the process within the `watchdog` limit with 101 Loop-timer-timeout and exit 1.
    @Test(.timeLimit(.minutes(1)))
    func aStalledLoopStopsThePingsAndEndsTheProcessWith101() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let notify = try NotifySocket(folder.url.appendingPathComponent("notify").path)
        defer { notify.stop() }
        let server = try await Self.server(
            notifying: notify, configuration: "watchdog = \"1s\"\n", extra: [LoopStallTrigger.environmentVariable: "1"])
        #expect(await notify.wait(for: "READY") != nil)
        try await Task.sleep(for: .milliseconds(500))
        let stalledAt = ContinuousClock.now
        server.process.signal(SIGUSR2)
        let result = await server.process.wait(timeout: .seconds(20))
        let ended = ContinuousClock.now
        #expect(result.exited(1), "\(result)")
        #expect(result.stderr.contains("Process-Terminated cause: Loop-timer-timeout"), "\(result.stderr)")
        // Generous: a check that runs late (a machine busy with builds) is not trusted, so under load the end
        // comes a few checks later than the limit.
        #expect(ended - stalledAt < .seconds(15), "a 1 s watchdog ends the process within seconds")
        // A ping already on its way when the signal arrived may come after it; none comes later.
        let late = notify.messages.filter { $0.fields["WATCHDOG"] == "1" && $0.at > stalledAt + .milliseconds(400) }
        #expect(late.isEmpty, "\(late.count) pings after the loop stalled")
    }

    /// Without systemd the same watchdog holds: the stall ends the process with 101 and exit 1.
    @Test(.timeLimit(.minutes(1)))
    func withoutSystemdAStalledLoopEndsTheProcessToo() async throws {
        let server = try await RunningServer(
            configuration: "watchdog = \"1s\"\n[mibs]\nenabled = false\n",
            environment: [LoopStallTrigger.environmentVariable: "1"])
        server.process.signal(SIGUSR2)
        let result = await server.process.wait(timeout: .seconds(20))
        #expect(result.exited(1), "\(result)")
        let lines = result.stderrLines.filter { $0.contains("Process-Terminated") }
        #expect(lines.count == 1 && lines[0].contains("cause: Loop-timer-timeout"), "\(lines)")
    }

    @Test(arguments: [
        (["WATCHDOG_USEC": "30000000"], Duration?.some(.seconds(15))),
        (["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "\(getpid())"], .some(.milliseconds(100))),
        (["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"], nil),
        (["WATCHDOG_USEC": "0"], nil),
        (["WATCHDOG_USEC": "soon"], nil),
        ([:], nil),
    ])
    func theWatchdogIntervalIsHalfOfWatchdogUsecForThisProcess(_ environment: [String: String], _ expected: Duration?) {
        #expect(SystemdNotifier.watchdogInterval(environment) == expected)
    }

    /// `systemd-analyze verify` on the shipped unit, with ExecStart pointing at the built binary and MANPATH at the
    /// generated man page (`swift package generate-manual`, which scripts/test runs), since verify checks both.
    @Test(.enabled(if: ExternalTool.find("systemd-analyze") != nil && FileManager.default.fileExists(atPath: Manual.path)))
    func systemdAnalyzeVerifiesTheUnit() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let unit = try String(contentsOf: PackagePaths.root.appendingPathComponent("config/trapmux.service"), encoding: .utf8)
        let local = unit.replacingOccurrences(of: "/usr/local/bin/trapmux", with: try TrapMuxBinary.url().path)
        let file = try folder.file("trapmux.service", Array(local.utf8))
        let manual = folder.url.appendingPathComponent("man/man1")
        try FileManager.default.createDirectory(at: manual, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Manual.path, toPath: manual.appendingPathComponent("trapmux.1").path)
        let result = try await ChildProcess.run(
            try #require(ExternalTool.find("systemd-analyze")), ["verify", file.path],
            environment: ["MANPATH": folder.url.appendingPathComponent("man").path])
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result)")
    }

    @Test func theUnitAsksForWhatTheServerProvides() throws {
        let unit = try String(contentsOf: PackagePaths.root.appendingPathComponent("config/trapmux.service"), encoding: .utf8)
        for line in [
            "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
            "RuntimeDirectory=trapmux", "StateDirectory=trapmux", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "ProtectHome=yes", "PrivateTmp=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        ] {
            #expect(unit.contains("\n\(line)\n"), "\(line)")
        }
        #expect(unit.contains("\nWatchdogSec="))
    }

    private static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }
}

/// The man page `swift package generate-manual` writes (scripts/test runs it).
enum Manual {
    static let path = PackagePaths.root.appendingPathComponent(".build/plugins/GenerateManual/outputs/TrapMux/trapmux.1").path
}
