import Testing
import TrapDecoder

/// The encoder that relays use: it must give back exactly what the decoder read.
@Suite struct EncodingRoundTripTests {
    @Test func everyCorpusTrapSurvivesEncodeThenDecode() throws {
        var checked = 0
        for datagram in Corpus.valid.map(\.bytes) {
            let message = try TrapMessage(decoding: datagram)
            guard message.version != .v3, let encoded = message.encoded() else { continue }
            #expect(try TrapMessage(decoding: encoded) == message)
            checked += 1
        }
        #expect(checked >= 15)
    }

    @Test func relayedV1TrapsCarryTheRFC3584Varbinds() throws {
        for datagram in Corpus.valid.map(\.bytes) {
            let message = try TrapMessage(decoding: datagram)
            guard case .trapV1(let trap) = message.pdu else { continue }
            let relayed = try #require(message.relayed(community: Array("x".utf8), source: nil, requestID: 3, asInform: false))
            let decoded = try TrapMessage(decoding: try #require(relayed.encoded()))
            let varbinds = Array(decoded.varbinds)
            #expect(varbinds.first?.value == .timeTicks(trap.timeStamp))
            #expect(varbinds[1].value == .objectIdentifier(message.classify(source: nil)!.trapOID!))
            #expect(varbinds.contains(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(trap.agentAddress))))
            #expect(varbinds.last == VarBind(oid: WellKnownOID.snmpTrapEnterprise0, value: .objectIdentifier(trap.enterprise)))
            #expect(decoded.classify(source: nil)?.generic == message.classify(source: nil)?.generic)
        }
    }
}
