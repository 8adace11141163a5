import Foundation
import NIOCore
import Testing
import TrapDecoder

@testable import TrapMux

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
        let listen = [ListenAddress(host: "0.0.0.0", port: 1162)]
        #expect(RelayAddress(host: own.description, port: 1162).loopsBack(into: listen) == listen[0])
        #expect(RelayAddress(host: "192.0.2.10", port: 1162).loopsBack(into: listen, localAddresses: interfaces) == nil)
        #expect(RelayAddress(host: own.description, port: 1163).loopsBack(into: listen) == nil)
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

    @Test func theLoopGuardTellsARetransmissionFromALoop() throws {
        var loopGuard = RelayLoopGuard()
        let agent = SourceAddress(ip: [192, 0, 2, 7], port: 161)
        let peer = SourceAddress(ip: [192, 0, 2, 99], port: 40000)
        let inform = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 1, inform: true))
        let renumbered = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 99, community: "other"))
        let now = NIODeadline.now()
        #expect(!loopGuard.isLoop(inform.relayFingerprint, requestID: 1, from: agent, now: now))
        loopGuard.record(inform.relayFingerprint, from: agent, assignedRequestID: nil, now: now)
        // The same inform again from its sender: a retransmission, not a loop.
        #expect(!loopGuard.isLoop(inform.relayFingerprint, requestID: 1, from: agent, now: now))
        // From anyone else, renumbered and with another community: ours, coming back.
        #expect(loopGuard.isLoop(renumbered.relayFingerprint, requestID: 99, from: peer, now: now))
        // Another notification is not.
        let other = try TrapMessage(decoding: TestTraps.v2c(.linkUp, requestID: 1))
        #expect(!loopGuard.isLoop(other.relayFingerprint, requestID: 1, from: peer, now: now))
        // Long after, it is forgotten.
        #expect(!loopGuard.isLoop(inform.relayFingerprint, requestID: 1, from: peer, now: now + RelayLoopGuard.window))
    }

    @Test func aNotificationCarryingTheRequestIDARelayGaveItIsALoopEvenFromItsOwnSource() throws {
        // B relayed it (renumbered to 500) to A, which sends it back raw from the socket B first got it from.
        var loopGuard = RelayLoopGuard()
        let relaySocket = SourceAddress(ip: [127, 0, 0, 1], port: 40000)
        let message = try TrapMessage(decoding: TestTraps.v2c(.linkDown, requestID: 500))
        let now = NIODeadline.now()
        loopGuard.record(message.relayFingerprint, from: relaySocket, assignedRequestID: 500, now: now)
        #expect(loopGuard.isLoop(message.relayFingerprint, requestID: 500, from: relaySocket, now: now))
        #expect(!loopGuard.isLoop(message.relayFingerprint, requestID: 501, from: relaySocket, now: now))
    }

    /// A relays to B and B relays back to A: each configuration alone is fine, together they would turn one trap
    /// into an endless stream. Bounded: one trap, one second.
    @Test(.timeLimit(.minutes(1)), arguments: [("v2c", "v2c"), ("raw", "raw"), ("raw", "v2c"), ("v2c", "raw")])
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

    private static func stats(_ server: RunningServer) throws -> [String: Any] {
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        return try connection.readObject()["stats"] as? [String: Any] ?? [:]
    }
}
