import Foundation
import NIOCore
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

/// Relay loops: targets that are the server's own address however written, wildcard targets, and loops
/// through another receiver that only content can reveal.
@Suite(.serialized) struct RelayLoopTests {
    @Test(arguments: [
        // An IPv4-mapped IPv6 target leaves as IPv4 and reaches the IPv4 listener.
        ("127.0.0.1:1162", "[::ffff:127.0.0.1]:1162", "127.0.0.1:1162"),
        ("0.0.0.0:1162", "[::ffff:127.0.0.1]:1162", "0.0.0.0:1162"),
        ("0.0.0.0:1162", "[::ffff:7f00:1]:1162", "0.0.0.0:1162"),
        // A wildcard listener receives the whole of 127.0.0.0/8.
        ("0.0.0.0:1162", "127.0.0.5:1162", "0.0.0.0:1162"),
        ("0.0.0.0:1162", "127.255.255.254:1162", "0.0.0.0:1162"),
        ("[::]:1162", "[::1]:1162", "[::]:1162"),
        ("[::]:1162", "[0:0:0:0:0:0:0:1]:1162", "[::]:1162"),
        ("[::1]:1162", "localhost:1162", "[::1]:1162"),
    ])
    func aTargetThatIsAnOwnListenAddressWrittenAnotherWayIsRejected(listen: String, target: String, own: String) {
        let text = "listen = [\"\(listen)\"]\n[[relay]]\nname = \"loop\"\ntarget = \"\(target)\"\n"
        do {
            _ = try TrapMuxConfiguration.parse(text, file: "loop.toml")
            Issue.record("accepted a relay to \(target) while listening on \(listen)")
        } catch {
            #expect(error.description.hasPrefix("loop.toml:4: relay.target: \"\(target)\" is this server's own listen address \(own)"))
        }
    }

    @Test func aTargetOnAnAddressOfThisHostsInterfacesLoopsIntoAWildcardListener() throws {
        let interfaces = IPAddress.localInterfaceAddresses()
        let own = try #require(interfaces.first { $0.isIPv4 })
        let listen = [HostPort(host: "0.0.0.0", port: 1162)]
        #expect(HostPort(host: own.description, port: 1162).loopsBack(into: listen) == listen[0])
        #expect(HostPort(host: "192.0.2.10", port: 1162).loopsBack(into: listen, localAddresses: interfaces) == nil)
        #expect(HostPort(host: own.description, port: 1163).loopsBack(into: listen) == nil)
    }

    @Test(arguments: ["0.0.0.0:1999", "[::]:1999", "[::ffff:0.0.0.0]:1999", "[0::0]:1999"])
    func aWildcardTargetIsRejected(target: String) {
        let text = "listen = [\"127.0.0.1:1162\"]\n[[relay]]\nname = \"nowhere\"\ntarget = \"\(target)\"\n"
        do {
            _ = try TrapMuxConfiguration.parse(text, file: "w.toml")
            Issue.record("accepted the wildcard target \(target)")
        } catch {
            #expect(error.description.hasPrefix("w.toml:4: relay.target: \"\(target)\" is a wildcard address"))
        }
    }

    @Test func aRawCopyBackFromAnotherSourceIsALoopButARetransmissionIsNot() throws {
        var loopGuard = RelayLoopGuard()
        let agent = SourceAddress(ip: [192, 0, 2, 7], port: 161)
        let peer = SourceAddress(ip: [192, 0, 2, 99], port: 40000)
        let inform = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 1, inform: true))
        let now = NIODeadline.now()
        #expect(!loopGuard.isLoop(inform, from: agent, now: now))
        loopGuard.record(.raw, fingerprint: inform.relayFingerprint(withRequestID: true), from: agent, assignedRequestID: nil, now: now)
        // The same inform again from its sender: a retransmission.
        #expect(!loopGuard.isLoop(inform, from: agent, now: now))
        // The same datagram from anyone else: ours, coming back.
        #expect(loopGuard.isLoop(inform, from: peer, now: now))
        // The next trap of the same kind (another request-id) from another port of the sender is not.
        let next = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 2, inform: true))
        #expect(!loopGuard.isLoop(next, from: SourceAddress(ip: [192, 0, 2, 7], port: 162), now: now))
        // Long after, it is forgotten.
        #expect(!loopGuard.isLoop(inform, from: peer, now: now + RelayLoopGuard.window))
    }

    @Test func varbindsThisRelayAddedComingBackAreALoopFromAnySource() throws {
        var loopGuard = RelayLoopGuard()
        let agent = SourceAddress(ip: [192, 0, 2, 7], port: 161)
        let trap = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 1))
        let relayed = try #require(
            trap.relayed(community: Array("fwd".utf8), source: IPv4Address("192.0.2.7"), requestID: 500, asInform: false))
        let now = NIODeadline.now()
        loopGuard.record(.modified, fingerprint: relayed.relayFingerprint(withRequestID: false), from: agent, assignedRequestID: 500, now: now)
        // Renumbered by the next hop, with another community: still ours.
        let back = try TrapMessage(decoding: try #require(
            relayed.relayed(community: Array("x".utf8), source: nil, requestID: 9, asInform: false)?.encoded()))
        #expect(loopGuard.isLoop(back, from: agent, now: now))
        // The agent's own next trap (without the added varbinds) is not.
        #expect(!loopGuard.isLoop(try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 2)), from: agent, now: now))
    }

    @Test func anUnchangedRenumberedNotificationIsALoopWithItsRequestIDOrAfterThreeRounds() throws {
        var loopGuard = RelayLoopGuard()
        let peer = SourceAddress(ip: [127, 0, 0, 1], port: 40000)
        let message = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 500))
        var now = NIODeadline.now()
        loopGuard.record(.renumbered, fingerprint: message.relayFingerprint(withRequestID: false), from: peer, assignedRequestID: 500, now: now)
        #expect(loopGuard.isLoop(message, from: peer, now: now))
        let other = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 501))
        #expect(!loopGuard.isLoop(other, from: peer, now: now))
        for _ in 0..<2 {
            now = now + .milliseconds(1)
            loopGuard.record(.renumbered, fingerprint: other.relayFingerprint(withRequestID: false), from: peer, assignedRequestID: 777, now: now)
        }
        #expect(loopGuard.isLoop(other, from: peer, now: now))
    }

    /// A relays to B and B relays back to A: each configuration alone is fine, together they would turn one trap
    /// into an endless stream. Bounded: one trap, one second.
    @Test(.timeLimit(.minutes(1)), arguments: [("v2c", "v2c"), ("raw", "raw"), ("raw", "v2c"), ("v2c", "raw"), ("inform", "v2c")])
    func aLoopThroughAnotherTrapmuxEndsAfterOneRound(modeA: String, modeB: String) async throws {
        let a = try await RunningServer(name: "A")
        let b = try await RunningServer(
            name: "B", configuration: "[mibs]\nenabled = false\n[[relay]]\nname = \"A\"\ntarget = \"127.0.0.1:\(a.port)\"\nmode = \"\(modeB)\"\n")
        try a.reload(with: "[mibs]\nenabled = false\n[[relay]]\nname = \"B\"\ntarget = \"127.0.0.1:\(b.port)\"\nmode = \"\(modeA)\"\n")
        #expect(await a.waitForLog("configuration reloaded"))
        let subscriber = try a.connect()
        try subscriber.subscribe()

        try a.send([TestTraps.v2c(.linkDown, requestID: 4242)])
        _ = try subscriber.readTraps(1)
        try await Task.sleep(for: .seconds(1))

        let statsA = try Self.stats(a)
        let statsB = try Self.stats(b)
        let datagramsA = statsA["datagrams"] as? Int ?? -1
        let datagramsB = statsB["datagrams"] as? Int ?? -1
        // A: the trap, then at most one copy back from B (dropped). B: at most the copy from A and one more.
        #expect((1...2).contains(datagramsA), "A received \(datagramsA) datagrams")
        #expect((1...2).contains(datagramsB), "B received \(datagramsB) datagrams")
        let loops = (statsA["relay_loops_dropped"] as? Int ?? 0) + (statsB["relay_loops_dropped"] as? Int ?? 0)
        #expect(loops == 1)
        _ = await a.stop()
        _ = await b.stop()
    }

    /// The same loop with a trap that carries snmpTrapAddress.0 and snmpTrapCommunity.0 already (it came through
    /// another forwarder first), so no hop changes its varbinds: it ends after a few rounds.
    @Test(.timeLimit(.minutes(1)))
    func aLoopOfAnAlreadyForwardedTrapEndsAfterAFewRounds() async throws {
        let a = try await RunningServer(name: "A")
        let b = try await RunningServer(
            name: "B", configuration: "[mibs]\nenabled = false\n[[relay]]\nname = \"A\"\ntarget = \"127.0.0.1:\(a.port)\"\n")
        try a.reload(with: "[mibs]\nenabled = false\n[[relay]]\nname = \"B\"\ntarget = \"127.0.0.1:\(b.port)\"\n")
        #expect(await a.waitForLog("configuration reloaded"))
        let forwarded = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 1))
            .relayed(community: Array("public".utf8), source: IPv4Address("192.0.2.7"), requestID: 4242, asInform: false)
        try a.send([try #require(forwarded?.encoded())])
        try await Task.sleep(for: .seconds(1))
        let datagramsA = try Self.stats(a)["datagrams"] as? Int ?? -1
        let datagramsB = try Self.stats(b)["datagrams"] as? Int ?? -1
        #expect((1...RelayLoopGuard.renumberedRounds + 1).contains(datagramsA), "A received \(datagramsA) datagrams")
        #expect((1...RelayLoopGuard.renumberedRounds + 1).contains(datagramsB), "B received \(datagramsB) datagrams")
        _ = await a.stop()
        _ = await b.stop()
    }

    private static func stats(_ server: RunningServer) throws -> [String: Any] {
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        return try connection.readObject()["stats"] as? [String: Any] ?? [:]
    }
}
