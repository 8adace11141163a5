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

/// SIGHUP reloads subscriber limits, filters and relays without losing a trap (SPEC §9), and a broken file
/// changes nothing.
@Suite(.serialized) struct ReloadTests {
    private static func config(relayPort: Int, more: String = "") -> String {
        "[[relay]]\nname = \"upstream\"\ntarget = \"127.0.0.1:\(relayPort)\"\nmode = \"raw\"\n\n" + more
            + "[mibs]\nenabled = false\n"
    }

    /// Distinct traps (the request-id is the index), so each received datagram says which one it is.
    private static func traps(_ range: Range<Int>) -> [[UInt8]] {
        range.map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }
    }

    @Test(.timeLimit(.minutes(1)))
    func aReloadedRelayTargetTakesOverWithoutLosingOrDuplicatingATrap() async throws {
        let sinkA = try UDPSink()
        let sinkB = try UDPSink()
        let server = try await RunningServer(configuration: Self.config(relayPort: sinkA.port))
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let all = Self.traps(0..<2100)
        let index = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element, $0.offset) })

        // Half before the signal, half while the reload runs, the rest once it is done.
        try server.send(Array(all[0..<1000]))
        try server.reload(with: Self.config(relayPort: sinkB.port))
        try server.send(Array(all[1000..<2000]))
        #expect(await server.waitForLog("configuration reloaded"), "\(server.standardError)")
        try server.send(Array(all[2000..<2100]))

        let toA = sinkA.receive(count: 2100, idle: 1.5).map { index[$0] ?? -1 }
        let toB = sinkB.receive(count: 2100, idle: 1.5).map { index[$0] ?? -1 }
        // One switch-over point k: A got exactly 0..<k, B exactly k..<2100, each once and in order.
        let k = toA.count
        #expect(toA == Array(0..<k))
        #expect(toB == Array(k..<2100), "A got \(toA.count), B got \(toB.count)")
        // Datagrams still in the kernel's receive buffer at the switch go to B, so k may be below 1000; those sent
        // after the reload was logged cannot have reached the old target.
        #expect(k <= 2000, "a trap sent after the reload reached the old target")
        let events = try subscriber.readTraps(2100)
        #expect(events.map { $0["request_id"] as? Int ?? -1 } == Array(0..<2100))
        #expect(server.standardError.contains("previous relay targets closed after sending everything"))
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aBrokenFileOnSIGHUPIsReportedWithFileLineAndKeyAndChangesNothing() async throws {
        let sink = try UDPSink()
        let server = try await RunningServer(configuration: Self.config(relayPort: sink.port))
        let subscriber = try server.connect()
        try subscriber.subscribe()

        // Line 7: the [[relay]] table takes lines 1–4, a blank line, then [subscribers].
        let broken = Self.config(relayPort: sink.port, more: "[subscribers]\nmax_subscribers = \"many\"\n")
        try server.reload(with: broken)
        #expect(await server.waitForLog("configuration not reloaded"), "\(server.standardError)")
        let file = server.configurationFile.path
        #expect(server.standardError.contains("\(file):7: subscribers.max_subscribers: expected an integer"),
                "\(server.standardError)")
        #expect(!server.standardError.contains("configuration reloaded"))

        // Still running on the old configuration: traps reach the subscriber and the old relay target.
        let datagrams = Self.traps(0..<200)
        try server.send(datagrams)
        #expect(sink.receive(count: 200) == datagrams)
        #expect(try subscriber.readTraps(200).count == 200)
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aLoweredSubscriberLimitRefusesNewSubscribersAndKeepsConnectedOnes() async throws {
        let sink = try UDPSink()
        let server = try await RunningServer(
            configuration: Self.config(relayPort: sink.port, more: "[subscribers]\nmax_subscribers = 3\n"))
        let first = try server.connect()
        try first.subscribe()
        let second = try server.connect()
        try second.subscribe()

        // receive_buffer_bytes needs a restart: reported, not applied.
        try server.reload(
            with: "receive_buffer_bytes = 1048576\n"
                + Self.config(relayPort: sink.port, more: "[subscribers]\nmax_subscribers = 1\n"))
        #expect(await server.waitForLog("configuration reloaded"), "\(server.standardError)")
        #expect(server.standardError.contains("receive_buffer_bytes"), "\(server.standardError)")

        let third = try server.connect()
        let answer = try third.subscribe()
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "too_many_subscribers", "\(answer)")

        let datagrams = Self.traps(0..<50)
        try server.send(datagrams)
        #expect(try first.readTraps(50).count == 50)
        #expect(try second.readTraps(50).count == 50)
        #expect(sink.receive(count: 50) == datagrams)
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aMissingFileOnSIGHUPIsEvent103AndChangesNothing() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": true}"#)
        let file = server.configurationFile.path
        try FileManager.default.removeItem(atPath: file)
        server.process.signal(SIGHUP)

        let event = try subscriber.readObject()
        #expect(event["type"] as? String == "process")
        #expect(event["event"] as? Int == 103)
        let text = event["text"] as? String ?? ""
        #expect(text.contains("FS error: \(ENOENT) -- subcode: 0, file name: \(file), Additional Info: the configuration file cannot be read on SIGHUP"), "\(text)")
        try server.send([TestTraps.v1(.coldStart)])
        #expect(try subscriber.readTraps(1).count == 1)
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
    }

    /// A file nested 70,000 deep once crashed the parser (stack overflow) and with it the server on SIGHUP.
    @Test(.timeLimit(.minutes(1)), arguments: [
        "communities = " + String(repeating: "[", count: 70_000) + String(repeating: "]", count: 70_000) + "\n",
        "x = " + String(repeating: "{a=", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "\n",
    ])
    func aDeeplyNestedFileOnSIGHUPIsRefusedAndTheServerRunsOn(nested: String) async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        try server.reload(with: "[mibs]\nenabled = false\n" + nested)
        #expect(await server.waitForLog("configuration not reloaded"), "\(server.standardError)")
        #expect(server.standardError.contains("\(server.configurationFile.path):3: nesting too deep"), "\(server.standardError)")
        try server.send([TestTraps.v1(.linkUp)])
        #expect(try subscriber.readTraps(1).count == 1)
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
        #expect(result.stderr.contains("Process-Terminated cause: Termination-request"))
    }
}
