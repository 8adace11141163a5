import Testing
import TrapDecoder

/// RFC 3584 §3: every notification gets both views, the SNMPv1 fields and the SNMPv2 notification OID.
@Suite("RFC 3584 classification")
struct ClassificationTests {
    static let snmpTraps = "1.3.6.1.6.3.1.1.5"

    /// Decodes `datagram` and classifies it as received from `source`.
    static func classify(_ datagram: BER, source: String? = "203.0.113.5") throws -> TrapClassification {
        try #require(try TrapMessage(decoding: datagram.encoded).classify(source: source))
    }

    // MARK: SNMPv1 → SNMPv2 (§3.1)

    static let standardTraps: [(Int32, GenericTrap, String)] = [
        (0, .coldStart, "1.3.6.1.6.3.1.1.5.1"),
        (1, .warmStart, "1.3.6.1.6.3.1.1.5.2"),
        (2, .linkDown, "1.3.6.1.6.3.1.1.5.3"),
        (3, .linkUp, "1.3.6.1.6.3.1.1.5.4"),
        (4, .authenticationFailure, "1.3.6.1.6.3.1.1.5.5"),
        (5, .egpNeighborLoss, "1.3.6.1.6.3.1.1.5.6"),
    ]

    /// §3.1 (2): generic-trap g < 6 becomes snmpTraps.(g+1); the v1 fields are kept as they came.
    @Test(arguments: standardTraps)
    func v1GenericTrapBelowSixMapsToSnmpTrapsGenericPlusOne(
        _ generic: Int32, _ expected: GenericTrap, _ trapOID: String
    ) throws {
        // … a4 2f 06 0a <enterprise> 40 04 c0 00 02 07 02 01 <g> 02 01 00 43 02 10 92 …
        let message = try TrapMessage(decoding: BER.v1Trap(pdu: .trapV1PDU(generic: .integer(Int64(generic)))).encoded)
        let classification = try #require(message.classify(source: "203.0.113.5"))
        #expect(classification.generic == expected)
        #expect(classification.genericTrapNumber == generic)
        #expect(classification.trapOID == OID(trapOID))
        #expect(classification.enterprise == OID(BER.netSnmpEnterprise))
        #expect(classification.specificTrap == 0)
        #expect(classification.agentAddress == "192.0.2.7", "agent-addr, not the datagram's source")
        #expect(classification.timeStamp == 4242)
        #expect(classification.varbinds == message.varbinds)
    }

    @Test func genericTrapNumbersMapToTheirSnmpTrapsOIDs() {
        for (number, generic, trapOID) in Self.standardTraps {
            #expect(GenericTrap(rawValue: number) == generic)
            #expect(generic.standardTrapOID == OID(trapOID))
        }
        #expect(GenericTrap.enterpriseSpecific.standardTrapOID == nil)
    }

    static let enterpriseSpecificTraps: [(String, Int32, String)] = [
        (BER.netSnmpEnterprise, 17, "1.3.6.1.4.1.8072.3.2.10.0.17"),
        (BER.netSnmpEnterprise, 0, "1.3.6.1.4.1.8072.3.2.10.0.0"),
        ("1.3.6.1.4.1.9", Int32.max, "1.3.6.1.4.1.9.0.2147483647"),
        ("1.3.6.1.4.1.9.9.41.2", 1, "1.3.6.1.4.1.9.9.41.2.0.1"),
    ]

    /// §3.1 (3): generic-trap 6 becomes enterprise.0.specific-trap.
    @Test(arguments: enterpriseSpecificTraps)
    func v1EnterpriseSpecificTrapMapsToEnterpriseZeroSpecific(
        _ enterprise: String, _ specific: Int32, _ trapOID: String
    ) throws {
        let classification = try Self.classify(
            .v1Trap(
                pdu: .trapV1PDU(
                    enterprise: .oid(enterprise), generic: .integer(6), specific: .integer(Int64(specific)))))
        #expect(classification.generic == .enterpriseSpecific)
        #expect(classification.genericTrapNumber == 6)
        #expect(classification.enterprise == OID(enterprise))
        #expect(classification.specificTrap == Int64(specific))
        #expect(classification.trapOID == OID(trapOID))
    }

    @Test func v1GenericTrapOutsideZeroToSixIsKeptAsSentAndClassifiedEnterpriseSpecific() throws {
        // 02 01 07 as generic-trap: RFC 1157 defines 0–6 only
        let classification = try Self.classify(.v1Trap(pdu: .trapV1PDU(generic: .integer(7), specific: .integer(3))))
        #expect(classification.generic == .enterpriseSpecific)
        #expect(classification.genericTrapNumber == 7)
        #expect(classification.specificTrap == 3)
    }

    // MARK: SNMPv2 → SNMPv1 (§3.2)

    /// §3.2 (1): snmpTrapOID.0 in snmpTraps.{1…6} is generic 0–5 with specific 0 and enterprise snmpTraps.
    @Test(arguments: standardTraps)
    func v2StandardTrapOIDMapsToItsGenericTrap(_ generic: Int32, _ expected: GenericTrap, _ trapOID: String) throws {
        let classification = try Self.classify(
            .v2cTrap(pdu: .notificationPDU(varbinds: BER.v2Varbinds(trapOID: trapOID))))
        #expect(classification.generic == expected)
        #expect(classification.genericTrapNumber == generic)
        #expect(classification.specificTrap == 0)
        #expect(classification.enterprise == OID(Self.snmpTraps))
        #expect(classification.trapOID == OID(trapOID))
    }

    @Test func v2StandardTrapTakesItsEnterpriseFromSnmpTrapEnterprise() throws {
        // … 30 17 <snmpTrapOID.0> 06 09 <linkDown>
        //   | 30 15 06 0a 2b 06 01 06 03 01 01 04 03 00 06 07 2b 06 01 04 01 09 01 (snmpTrapEnterprise.0 = …9.1)
        let classification = try Self.classify(
            .v2cTrap(
                pdu: .notificationPDU(
                    varbinds: BER.v2Varbinds([
                        .varbind("1.3.6.1.6.3.1.1.4.3.0", .oid("1.3.6.1.4.1.9.1")), BER.ifIndex2,
                    ]))))
        #expect(classification.generic == .linkDown)
        #expect(classification.enterprise == OID("1.3.6.1.4.1.9.1"))
    }

    static let enterpriseTrapOIDs: [(String, String, Int64)] = [
        // next-to-last arc 0: drop it too (netSnmpExampleHeartbeatNotification)
        ("1.3.6.1.4.1.8072.2.3.0.1", "1.3.6.1.4.1.8072.2.3", 1),
        // next-to-last arc not 0: drop the last arc only
        ("1.3.6.1.4.1.99999.7.42", "1.3.6.1.4.1.99999.7", 42),
        // the v1 translation of a v1 enterprise-specific trap comes back as it was
        ("1.3.6.1.4.1.8072.3.2.10.0.17", "1.3.6.1.4.1.8072.3.2.10", 17),
        // snmpTraps.7 is not a standard trap
        ("1.3.6.1.6.3.1.1.5.7", snmpTraps, 7),
        // snmpTraps.0 is not one either
        ("1.3.6.1.6.3.1.1.5.0", snmpTraps, 0),
        // nor are arcs beyond Int32 under snmpTraps (the arc once went through Int32(_:), which traps)
        ("1.3.6.1.6.3.1.1.5.2147483648", snmpTraps, 2_147_483_648),
        ("1.3.6.1.6.3.1.1.5.4294967295", snmpTraps, 4_294_967_295),
        // the largest specific-trap an arc can carry
        ("1.3.6.1.4.1.9.0.4294967295", "1.3.6.1.4.1.9", 4_294_967_295),
    ]

    /// §3.2 (2): any other snmpTrapOID.0 is generic 6, specific = its last arc, enterprise = the rest
    /// without a preceding 0 arc.
    @Test(arguments: enterpriseTrapOIDs)
    func v2EnterpriseTrapOIDSplitsIntoEnterpriseAndSpecific(
        _ trapOID: String, _ enterprise: String, _ specific: Int64
    ) throws {
        let classification = try Self.classify(
            .v2cTrap(pdu: .notificationPDU(varbinds: BER.v2Varbinds(trapOID: trapOID))))
        #expect(classification.generic == .enterpriseSpecific)
        #expect(classification.genericTrapNumber == 6)
        #expect(classification.enterprise == OID(enterprise))
        #expect(classification.specificTrap == specific)
        #expect(classification.trapOID == OID(trapOID))
    }

    @Test func v2EnterpriseTrapIgnoresSnmpTrapEnterprise() throws {
        // §3.2 (2): "In any event, the snmpTrapEnterprise.0 variable binding in the SNMPv2 notification is ignored."
        let classification = try Self.classify(
            .v2cTrap(
                pdu: .notificationPDU(
                    varbinds: BER.v2Varbinds(
                        trapOID: "1.3.6.1.4.1.8072.2.3.0.1", [.varbind("1.3.6.1.6.3.1.1.4.3.0", .oid("1.3.6.1.4.1.9"))])
                )))
        #expect(classification.enterprise == OID("1.3.6.1.4.1.8072.2.3"))
    }

    @Test func v2AgentAddressIsSnmpTrapAddressWhenPresent() throws {
        // 30 11 06 09 2b 06 01 06 03 12 01 03 00 40 04 c6 33 64 09: snmpTrapAddress.0 = 198.51.100.9
        let datagram = BER.v2cTrap(
            pdu: .notificationPDU(
                varbinds: BER.v2Varbinds([
                    .varbind("1.3.6.1.6.3.18.1.3.0", .ipAddress(198, 51, 100, 9)), BER.ifIndex2,
                ])))
        #expect(try Self.classify(datagram, source: "203.0.113.5").agentAddress == "198.51.100.9")
        #expect(try Self.classify(datagram, source: nil).agentAddress == "198.51.100.9")
    }

    @Test func v2AgentAddressIsTheSourceWithoutSnmpTrapAddress() throws {
        #expect(try Self.classify(.v2cTrap(), source: "203.0.113.5").agentAddress == "203.0.113.5")
        #expect(try Self.classify(.v2cTrap(), source: "2001:db8::1").agentAddress == "2001:db8::1")
        #expect(try Self.classify(.v2cTrap(), source: nil).agentAddress == "0.0.0.0")
    }

    @Test func v2TimeStampIsSysUpTimeAndTheV1VarbindsLeaveOutSysUpTimeAndSnmpTrapOID() throws {
        let message = try TrapMessage(decoding: Fixtures.v2cLinkDown)
        let classification = try #require(message.classify(source: "192.0.2.7"))
        #expect(classification.timeStamp == 4242)
        #expect(classification.varbinds == [VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.2")!, value: .integer(2))])
        #expect(message.varbinds.count == 3, "the message itself keeps every varbind")
    }

    @Test func v2KeepsTheOtherVarbindsInOrder() throws {
        let extra: [BER] = [
            .varbind("1.3.6.1.2.1.2.2.1.7.2", .integer(2)), .varbind("1.3.6.1.2.1.2.2.1.8.2", .integer(2)),
            .varbind("1.3.6.1.2.1.31.1.1.1.1.2", .octetString("eth1")),
        ]
        let classification = try Self.classify(.v2cTrap(pdu: .notificationPDU(varbinds: BER.v2Varbinds(extra))))
        #expect(
            classification.varbinds.map(\.oid.description) == [
                "1.3.6.1.2.1.2.2.1.7.2", "1.3.6.1.2.1.2.2.1.8.2", "1.3.6.1.2.1.31.1.1.1.1.2",
            ])
    }

    @Test func v2WithoutSnmpTrapOIDHasNoTrapOIDAndIsEnterpriseSpecific() throws {
        let classification = try Self.classify(
            .v2cTrap(
                pdu: .notificationPDU(varbinds: [
                    .varbind("1.3.6.1.2.1.1.3.0", .timeTicks(7)), BER.ifIndex2,
                ])))
        #expect(classification.trapOID == nil)
        #expect(classification.generic == .enterpriseSpecific)
        #expect(classification.enterprise == OID(Self.snmpTraps))
        #expect(classification.timeStamp == 7)
        #expect(classification.varbinds.count == 1)
    }

    @Test func informIsClassifiedLikeATrap() throws {
        let message = try TrapMessage(decoding: Fixtures.v2cInformColdStart)
        let classification = try #require(message.classify(source: "192.0.2.9"))
        #expect(classification.generic == .coldStart)
        #expect(classification.timeStamp == 100_000)
        #expect(classification.agentAddress == "192.0.2.9")
        #expect(classification.varbinds.isEmpty)
    }

    @Test func v3PlaintextTrapIsClassifiedLikeV2c() throws {
        let classification = try Self.classify(.v3Message(data: .scopedPDU(.notificationPDU())))
        #expect(classification.generic == .linkDown)
        #expect(classification.trapOID == OID(BER.linkDownTrapOID))
    }

    @Test func encryptedV3CannotBeClassified() throws {
        let message = try TrapMessage(decoding: BER.v3Message(flags: 0x03, data: .octetString([0x01, 0x02])).encoded)
        #expect(message.classify(source: "192.0.2.1") == nil)
    }

    @Test func bothViewsRoundTripFromV1ToV2AndBack() throws {
        // A v1 trap's trap OID, sent as a v2c notification, classifies back to the same v1 fields (§3.1 then §3.2).
        for generic: Int32 in 0...6 {
            let v1 = try Self.classify(
                .v1Trap(pdu: .trapV1PDU(generic: .integer(Int64(generic)), specific: .integer(generic == 6 ? 99 : 0))))
            let trapOID = try #require(v1.trapOID).description
            let v2Varbinds = BER.v2Varbinds(
                trapOID: trapOID,
                [
                    .varbind("1.3.6.1.6.3.18.1.3.0", .ipAddress(192, 0, 2, 7)),
                    .varbind("1.3.6.1.6.3.1.1.4.3.0", .oid(BER.netSnmpEnterprise)),
                ])
            let v2 = try Self.classify(.v2cTrap(pdu: .notificationPDU(varbinds: v2Varbinds)))
            #expect(v2.generic == v1.generic)
            #expect(v2.specificTrap == v1.specificTrap)
            #expect(v2.enterprise == v1.enterprise)
            #expect(v2.agentAddress == v1.agentAddress)
            #expect(v2.timeStamp == v1.timeStamp)
        }
    }
}
