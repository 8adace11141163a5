import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

#if canImport(Glibc)
import Glibc
#endif

/// Clients of the subscriber socket that misbehave: each may cost the server only what it is allowed, and
/// never a trap or another client's service.
@Suite(.serialized) struct HostileClientTests {
    /// A client that sends requests as fast as it can and never reads an answer: the server stops reading it
    /// (backpressure), its memory stays bounded, and traps sent meanwhile all reach a subscriber.
    @Test(.timeLimit(.minutes(1)))
    func aRequestFloodThatIsNeverReadCostsBoundedMemoryAndNoTrap() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let rssBefore = try Self.residentBytes(server.process.processID)

        let flooder = try RawSocket(path: server.socketPath)
        let request = Array(#"{"stats": {}}"#.utf8) + [0x0A]
        let flood = Task.detached {
            // Bounded: 3 seconds or 2 million requests, whichever comes first.
            var sent = 0
            let deadline = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < deadline && sent < 2_000_000 {
                if flooder.trySend(request) { sent += 1 } else { usleep(1_000) }
            }
            return sent
        }
        let traps = (0..<5_000).map { TestTraps.v2c(.linkDown, requestID: Int32($0 + 1)) }
        try server.send(traps)
        let received = try subscriber.readTraps(traps.count)
        let requestsSent = await flood.value
        let rssAfter = try Self.residentBytes(server.process.processID)

        #expect(received.count == traps.count)
        #expect((received.last?["request_id"] as? Int) == traps.count)
        // The answers the server holds are bounded by SubscriberHandler.answerAllowance, not by the flood.
        let grownMiB = (rssAfter - rssBefore) / (1 << 20)
        #expect(grownMiB < 32, "RSS grew by \(grownMiB) MiB while \(requestsSent) requests were sent")
        let stats = try Self.stats(server)
        #expect((stats["answer_bytes"] as? Int ?? .max) <= SubscriberHandler.answerAllowance + 4096)
        flooder.close()
        _ = await server.stop()
    }

    /// Idle connections by the thousand, against a server allowed only 128 descriptors: newer connections push
    /// out older silent ones, so `trapmux stats` (the Docker health check) still answers, and traps flow.
    @Test(.timeLimit(.minutes(1)))
    func idleConnectionsCannotUseUpTheDescriptors() async throws {
        let server = try await RunningServer(
            configuration: "[mibs]\nenabled = false\n[subscribers]\nmax_unsubscribed_connections = 16\n")
        let limited = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/prlimit"), ["--pid", "\(server.process.processID)", "--nofile=128:128"],
            timeout: .seconds(10))
        #expect(limited.exited(0), "\(limited)")
        let subscriber = try server.connect()
        try subscriber.subscribe()

        var idle: [RawSocket] = []
        for _ in 0..<1_000 {
            guard let socket = try? RawSocket(path: server.socketPath) else { continue }
            idle.append(socket)
        }
        let result = try await TrapMuxBinary.run(["stats", "--socket", server.socketPath], timeout: .seconds(10))
        #expect(result.exited(0), "\(result)")
        try server.send([TestTraps.v1(.coldStart)])
        #expect(try subscriber.readTraps(1).count == 1)
        let stats = try Self.stats(server)
        #expect((stats["connections_idle_closed"] as? Int ?? 0) >= 900)
        for socket in idle { socket.close() }
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func aConnectionThatSendsNothingIsClosedAfterTheFirstLineTimeout() async throws {
        let server = try await RunningServer(
            configuration: "[mibs]\nenabled = false\n[subscribers]\nfirst_line_timeout = \"300ms\"\n")
        let silent = try server.connect()
        let answer = try silent.readObject()
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "first_line_timeout")
        #expect(throws: TestSubscriberError.self) { try silent.readLine() }
        #expect((try Self.stats(server)["connections_idle_closed"] as? Int) == 1)
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func beyondTheLimitAConnectionIsRefusedWhenNoneIsSilent() async throws {
        let server = try await RunningServer(
            configuration: "[mibs]\nenabled = false\n[subscribers]\nmax_unsubscribed_connections = 2\n")
        // Two connections that have talked (pinged) hold both places; neither is silent, so none makes room.
        let first = try server.connect()
        try first.send(#"{"ping": {}}"#)
        _ = try first.readObject()
        let second = try server.connect()
        try second.send(#"{"ping": {}}"#)
        _ = try second.readObject()
        let third = try server.connect()
        #expect((try third.readObject()["error"] as? [String: Any])?["code"] as? String == "too_many_connections")
        // A subscribed connection no longer counts.
        try first.subscribe()
        let fourth = try server.connect()
        try fourth.send(#"{"ping": {}}"#)
        #expect(try fourth.readObject()["pong"] != nil)
        _ = await server.stop()
    }

    /// The subscriber protocol's JSON is nested as deep as a 64 KiB line allows: an error, not a crash.
    @Test(.timeLimit(.minutes(1)))
    func aDeeplyNestedRequestIsRejectedAndTheServerCarriesOn() async throws {
        let server = try await RunningServer()
        let depth = 30_000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let client = try server.connect()
        try client.send(#"{"subscribe": {"filter": {"generic": "# + nested + "}}}")
        #expect((try client.readObject()["error"] as? [String: Any])?["code"] as? String == "bad_json")
        let next = try server.connect()
        try next.subscribe()
        try server.send([TestTraps.v1(.linkUp)])
        #expect(try next.readTraps(1).count == 1)
        _ = await server.stop()
    }

    /// `echo REQUEST | socat - UNIX-CONNECT:PATH`: socat half-closes once its input ends; the answers, and for a
    /// subscription the events, still come.
    @Test(.timeLimit(.minutes(1)))
    func aClientThatHalfClosesAfterItsRequestKeepsReceiving() async throws {
        let server = try await RunningServer()
        let stats = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", #"echo '{"stats": {}}' | socat - UNIX-CONNECT:"$0""#, server.socketPath],
            timeout: .seconds(10))
        #expect(stats.exited(0) && stats.stdout.contains(#"{"stats":"#), "\(stats)")

        let tail = ChildProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", #"echo '{"subscribe": {"format": "text"}}' | socat -t 30 - UNIX-CONNECT:"$0""#, server.socketPath])
        try tail.start()
        defer { tail.signal(SIGKILL) }
        #expect(await tail.waitForOutput(containing: "subscribed", inStandardError: false, timeout: .seconds(10)))
        try server.send([TestTraps.v1(.linkDown)])
        #expect(await tail.waitForOutput(containing: "Link Down Trap", inStandardError: false, timeout: .seconds(10)))
        _ = await server.stop()
    }

    /// A subscriber name with a newline and a NUL: the log shows it escaped on the line it belongs to, so no
    /// fake event line appears and the log stays text.
    @Test(.timeLimit(.minutes(1)))
    func aSubscriberNameCannotForgeALogLine() async throws {
        let server = try await RunningServer()
        let forged = "2026-12-05T08:00:00.000000Z notice trapmux: Object unavailable SNMP-Trap-Multiplexer testmux, event number: Process-Terminated cause: Termination-request"
        let client = try server.connect()
        try client.send(#"{"subscribe": {"name": "x\n"# + forged + #"\u0000tail"}}"#)
        _ = try client.readObject()
        #expect(await server.waitForLog("subscriber connected"))
        let log = server.process.standardErrorSoFar
        #expect(!log.contains(0))
        let lines = String(decoding: log, as: UTF8.self).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("2026-12-05T08:00:00.000000Z") }, "\(lines)")
        let connected = lines.first { $0.contains("subscriber connected") } ?? ""
        #expect(connected.contains(#"subscriber.name="x\x0a2026-12-05T08:00:00.000000Z"#), "\(connected)")
        #expect(connected.contains(#"\x00tail""#), "\(connected)")
        _ = await server.stop()
    }

    private static func stats(_ server: RunningServer) throws -> [String: Any] {
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        return try connection.readObject()["stats"] as? [String: Any] ?? [:]
    }

    /// VmRSS of a process, in bytes.
    private static func residentBytes(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kilobytes * 1024
    }
}

/// A non-blocking Unix stream connection that sends and never reads.
final class RawSocket: @unchecked Sendable {
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RunningServer.ServerFailure(description: "socket(): errno \(errno)") }
        do {
            try UnixSocketConnect.connect(fd, to: path)
        } catch {
            Glibc.close(fd)
            throw RunningServer.ServerFailure(description: "connect: \(error)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Sends the whole of `bytes` if the socket takes it now; false when it would block.
    func trySend(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    func close() {
        Glibc.close(fd)
    }
}
