import Testing
import TrapDecoder

/// snmpTrapAddress.0 is a claim anyone can write: believed only from trusted forwarders (`trustsTrapAddress`),
/// otherwise set aside for the datagram's source, kept among the varbinds and replaced in what is relayed.
@Suite struct TrustedTrapAddressTests {
    static let claimed = IPv4Address("198.51.100.9")!
    static let ifIndex2 = VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.2")!, value: .integer(2))
    static let linkDown = GenericTrap.linkDown.standardTrapOID!

    /// A v2c linkDown whose snmpTrapAddress.0 claims 198.51.100.9, between sysUpTime.0/snmpTrapOID.0 and ifIndex.2.
    static let forged = TrapMessage(
        version: .v2c, community: Array("public".utf8)[...],
        pdu: .trapV2(
            NotificationPDU(
                requestID: 7,
                varbinds: [
                    VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(4242)),
                    VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(linkDown)),
                    VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(claimed)),
                    ifIndex2,
                ])))

    @Test func anUntrustedClaimGivesWayToTheSourceAndStaysAVarbind() throws {
        let classification = try #require(Self.forged.classify(source: "203.0.113.5", trustsTrapAddress: false))
        #expect(classification.agentAddress == "203.0.113.5")
        #expect(classification.untrustedTrapAddress == Self.claimed)
        #expect(classification.varbinds.contains { $0.oid == WellKnownOID.snmpTrapAddress0 })
    }

    @Test func aTrustedClaimIsTheAgentAddress() throws {
        let classification = try #require(Self.forged.classify(source: "203.0.113.5", trustsTrapAddress: true))
        #expect(classification.agentAddress == "198.51.100.9")
        #expect(classification.untrustedTrapAddress == nil)
        // Without a source (trapmux decode), the claim is all there is.
        #expect(Self.forged.classify(source: nil)?.agentAddress == "198.51.100.9")
    }

    @Test func withoutAClaimTrustChangesNothing() throws {
        var plain = Self.forged
        let varbinds = Self.forged.varbinds.filter { $0.oid != WellKnownOID.snmpTrapAddress0 }
        plain.pdu = .trapV2(NotificationPDU(requestID: 7, varbinds: VarBindList(varbinds)))
        let untrusted = try #require(plain.classify(source: "203.0.113.5", trustsTrapAddress: false))
        #expect(untrusted == plain.classify(source: "203.0.113.5", trustsTrapAddress: true))
        #expect(untrusted.untrustedTrapAddress == nil)
    }

    @Test func aRelayReplacesAnUntrustedClaimWithTheSourceWhereItStood() throws {
        let source = IPv4Address("203.0.113.5")!
        let relayed = try #require(
            Self.forged.relayed(
                community: Array("up".utf8), source: source, requestID: 9, asInform: false, replacingTrapAddress: true))
        #expect(relayed.varbinds.map(\.oid) == Self.forged.varbinds.map(\.oid) + [WellKnownOID.snmpTrapCommunity0])
        #expect(Array(relayed.varbinds)[2].value == .ipAddress(source))
        // A trusted claim is passed on as it came.
        let kept = try #require(
            Self.forged.relayed(community: Array("up".utf8), source: source, requestID: 9, asInform: false))
        #expect(Array(kept.varbinds)[2].value == .ipAddress(Self.claimed))
    }

    @Test func aRelayDropsAnUntrustedClaimWhenTheSourceIsIPv6() throws {
        let relayed = try #require(
            Self.forged.relayed(
                community: Array("up".utf8), source: nil, requestID: 9, asInform: false, replacingTrapAddress: true))
        #expect(!relayed.varbinds.contains { $0.oid == WellKnownOID.snmpTrapAddress0 })
    }
}
