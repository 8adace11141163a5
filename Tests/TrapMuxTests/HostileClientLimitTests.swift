import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer

#if canImport(Glibc)
import Glibc
#endif

/// The rest of issue 17's hostile subscribers (HostileClientTests has the others): an overlong line, a client that
/// asks 10,000 times a second and reads the answers, and subscribers beyond `max_subscribers`. None may cost the
/// server more than its limits allow, or another subscriber a trap.
@Suite(.serialized) struct HostileClientLimitTests {
    @Test(.timeLimit(.minutes(1)))
    func aLineLongerThan64KiBIsRefusedAndClosesOnlyItsConnection() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let long = try server.connect()
        try long.send(#"{"ping": {"pad": ""# + String(repeating: "x", count: 100_000) + #""}}"#)
        #expect((try long.readObject()["error"] as? [String: Any])?["code"] as? String == "line_too_long")
        #expect(throws: TestSubscriberError.self) { try long.readLine() }
        // Without a newline at all: refused once the line passes the limit, not when it ends.
        let endless = try RawSocket(path: server.socketPath)
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 16 << 10)
        var sent = 0
        while sent < 1 << 20, endless.trySend(filler) { sent += filler.count }
        #expect(sent < 1 << 20, "the server kept reading an endless line")
        endless.close()
        try server.send([TestTraps.v1(.linkDown)])
        #expect(try subscriber.readTraps(1).count == 1)
        _ = await server.stop()
    }

    /// A client that pings 10,000 times a second and reads every answer gets them all, while a subscriber receiving
    /// traps at the same time gets every one, none dropped, and the server's memory stays where it was.
    @Test(.timeLimit(.minutes(1)))
    func tenThousandRequestsASecondFromAClientThatReadsCostOthersNothing() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let rssBefore = try Self.residentBytes(server.process.processID)
        let path = server.socketPath
        let flood = Task.detached { try Self.ping(path: path, perSecond: 10_000, seconds: 3) }
        let traps = (0..<6_000).map { TestTraps.v2c(.linkDown, requestID: Int32($0 + 1)) }
        let started = ContinuousClock.now
        try server.send(traps)
        let sendingTook = ContinuousClock.now - started
        let received = try subscriber.readTraps(traps.count)
        let lag = ContinuousClock.now - started - sendingTook
        let answered = try await flood.value

        #expect(received.map { $0["request_id"] as? Int } == (1...traps.count).map { $0 })
        #expect(lag < .seconds(1), "the last trap came \(lag) after it was sent")
        #expect(answered.answers == answered.requests && answered.requests >= 29_000, "\(answered)")
        let grownMiB = (try Self.residentBytes(server.process.processID) - rssBefore) / (1 << 20)
        #expect(grownMiB < 32, "RSS grew by \(grownMiB) MiB")
        let stats = try Self.stats(server)
        #expect((stats["subscribers"] as? [[String: Any]])?.allSatisfy { ($0["dropped"] as? Int ?? 0) == 0 } == true)
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func subscribersBeyondMaxSubscribersAreRefusedAndTheOthersKeepTheirEvents() async throws {
        let server = try await RunningServer(
            configuration: "[mibs]\nenabled = false\n[subscribers]\nmax_subscribers = 8\n")
        var subscribers = try (0..<8).map { _ in try server.connect() }
        for subscriber in subscribers { try subscriber.subscribe() }
        for _ in 0..<20 {
            let refused = try server.connect()
            try refused.send(#"{"subscribe": {}}"#)
            #expect((try refused.readObject()["error"] as? [String: Any])?["code"] as? String == "too_many_subscribers")
            #expect(throws: TestSubscriberError.self) { try refused.readLine() }
        }
        try server.send((0..<100).map { TestTraps.v2c(.linkUp, requestID: Int32($0 + 1)) })
        for subscriber in subscribers {
            #expect(try subscriber.readTraps(100).count == 100)
        }
        // A place that frees up can be taken.
        subscribers.removeLast()
        try await Task.sleep(for: .milliseconds(200))
        let late = try server.connect()
        #expect(try late.subscribe()["subscribed"] != nil)
        _ = await server.stop()
    }

    /// Sends `{"ping": {}}` at `perSecond` for `seconds`, reading every answer as it goes.
    private static func ping(path: String, perSecond: Int, seconds: Int) throws -> (requests: Int, answers: Int) {
        let client = try LineSocketClient(path: path)
        client.setReadTimeout(seconds: 10)
        let burst = perSecond / 100
        let batch = String(repeating: #"{"ping": {}}"# + "\n", count: burst)
        var requests = 0
        var answers = 0
        let start = ContinuousClock.now
        for tick in 0..<(seconds * 100) {
            try client.send(String(batch.dropLast()))
            requests += burst
            for _ in 0..<burst {
                if try client.readLine() != nil { answers += 1 }
            }
            let remaining = start + .milliseconds(10 * (tick + 1)) - ContinuousClock.now
            if remaining > .zero { usleep(useconds_t(remaining / .microseconds(1))) }
        }
        return (requests, answers)
    }

    private static func stats(_ server: RunningServer) throws -> [String: Any] {
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        return try connection.readObject()["stats"] as? [String: Any] ?? [:]
    }

    private static func residentBytes(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
