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

    /// What a relay writes without building the message decodes to the message `relayed` builds, and hashes
    /// as its varbinds do (the loop guard's fingerprint), in every shape: from v1, v2c with and without
    /// snmpTrapAddress.0 and snmpTrapCommunity.0, an untrusted claim replaced by an IPv4 source or left out.
    @Test func aRelayedNotificationEncodesAndHashesAsTheMessageItDescribes() throws {
        var checked = 0
        let messages = try Corpus.valid.map { try TrapMessage(decoding: $0.bytes) } + [TrustedTrapAddressTests.forged]
        for message in messages where message.version != .v3 {
            for source in [IPv4Address("203.0.113.5"), nil] {
                for (asInform, replacing) in [(false, false), (true, false), (false, true)] {
                    let relayed = try #require(
                        RelayedNotification(
                            message, community: Array("up".utf8), source: source, requestID: 77, asInform: asInform,
                            replacingTrapAddress: replacing))
                    let built = relayed.message
                    var writer = BERWriter()
                    relayed.encode(into: &writer)
                    // Received varbinds are copied as they came: the same values, though not always the same bytes.
                    #expect(try TrapMessage(decoding: writer.bytes) == built)
                    let canonical = try TrapMessage(decoding: try #require(built.encoded()))
                    #expect(canonical == built)
                    #expect(relayed.count == built.varbinds.count)
                    #expect(Array(relayed.varbinds) == Array(built.varbinds))
                    var fromDescription = Hasher()
                    relayed.hashVarbinds(into: &fromDescription)
                    var fromMessage = Hasher()
                    fromMessage.combine(try TrapMessage(decoding: writer.bytes).varbinds)
                    #expect(fromDescription.finalize() == fromMessage.finalize())
                    checked += 1
                }
            }
        }
        #expect(checked >= 90)
    }
}
