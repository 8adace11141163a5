import Testing
import TrapDecoder
import TrapEvents

/// The operator message of SPEC §5 and `reference/trapmux-operator-messages.txt`, trap events 0–6.
@Suite("Operator text (SPEC §5)")
struct OperatorTextTests {
    /// The operator text of `bytes` as received from `source` by a process named `trapmux`.
    static func text(
        _ bytes: [UInt8], source: String? = "203.0.113.5", name: (OID) -> String? = { _ in nil }
    ) throws -> String {
        let message = try TrapMessage(decoding: bytes)
        let classification = try #require(message.classify(source: source))
        return message.operatorText(processName: "trapmux", classification: classification, name: name)
    }

    @Test func specExampleIsReproducedExactly() throws {
        #expect(
            try Self.text(Fixtures.v1LinkDown)
                == "Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 0, Community: public "
                + "Enterprise: 1.3.6.1.4.1.8072.3.2.10 Network addr:192.0.2.7 Generic trap: 2, Specific trap: 0 "
                + "Time ticks: 4242 (varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2)")
    }

    @Test func v2cTextShowsVersionOneAndTheRFC3584View() throws {
        #expect(
            try Self.text(Fixtures.v2cLinkDown, source: "192.0.2.7")
                == "Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 1, Community: public "
                + "Enterprise: 1.3.6.1.6.3.1.1.5 Network addr:192.0.2.7 Generic trap: 2, Specific trap: 0 "
                + "Time ticks: 4242 (varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2)")
    }

    static let titles: [(Int32, String)] = [
        (0, "Coldstart Trap"), (1, "Warmstart Trap"), (2, "Link Down Trap"), (3, "Link Up Trap"),
        (4, "Authentication Failure Trap"), (5, "Exterior Gateway Protocol Neighbor Loss Trap"),
        (6, "Enterprise Specific Trap"),
    ]

    @Test(arguments: titles)
    func textStartsWithTheGenericTrapsTitle(_ generic: Int32, _ title: String) throws {
        let text = try Self.text(
            BER.v1Trap(pdu: .trapV1PDU(generic: .integer(Int64(generic)), specific: .integer(5))).encoded)
        #expect(text.hasPrefix(title + " SNMP-Trap-Multiplexer trapmux, Version: 0, "))
        #expect(text.contains(" Generic trap: \(generic), Specific trap: 5 Time ticks: 4242 "))
    }

    @Test func processNameIsTheConfiguredOne() throws {
        let message = try TrapMessage(decoding: Fixtures.v1LinkDown)
        let classification = try #require(message.classify(source: nil))
        #expect(
            message.operatorText(processName: "tmx-east-1", classification: classification)
                .hasPrefix("Link Down Trap SNMP-Trap-Multiplexer tmx-east-1, Version: 0,"))
    }

    static let typesAndValues: [(String, BER, String)] = [
        // 02 01 fe
        ("INTEGER", .integer(-2), "-2"),
        // 04 02 75 70
        ("OCTET-STRING", .octetString("up"), "up"),
        // 04 03 00 1a ff: not printable, shown as spaced hex
        ("OCTET-STRING", .octetString([0x00, 0x1A, 0xFF]), "00 1A FF"),
        // 05 00
        ("NULL", .null, "NULL"),
        // 06 07 2b 06 01 04 01 09 01
        ("OBJECT-IDENTIFIER", .oid("1.3.6.1.4.1.9.1"), "1.3.6.1.4.1.9.1"),
        // 40 04 c0 00 02 07
        ("IPADDR", .ipAddress(192, 0, 2, 7), "192.0.2.7"),
        // 41 05 00 ff ff ff ff
        ("COUNTER", .unsigned(BERTag.counter32, UInt64(UInt32.max)), "4294967295"),
        // 42 01 07
        ("GAUGE", .unsigned(BERTag.gauge32, 7), "7"),
        // 43 02 10 92
        ("TIMETICKS", .timeTicks(4242), "4242"),
        // 44 03 9f 78 00
        ("OPAQUE", .primitive(BERTag.opaque, [0x9F, 0x78, 0x00]), "9F 78 00"),
        // 46 09 00 ff ff ff ff ff ff ff ff
        ("COUNTER64", .unsigned(BERTag.counter64, .max), "18446744073709551615"),
        // 80 00
        ("NO-SUCH-OBJECT", .primitive(BERTag.noSuchObject, []), "noSuchObject"),
        // 81 00
        ("NO-SUCH-INSTANCE", .primitive(BERTag.noSuchInstance, []), "noSuchInstance"),
        // 82 00
        ("END-OF-MIB-VIEW", .primitive(BERTag.endOfMibView, []), "endOfMibView"),
    ]

    @Test(arguments: typesAndValues)
    func varbindShowsSPECTypeNameAndValue(_ typeName: String, _ value: BER, _ shown: String) throws {
        let text = try Self.text(BER.v2cCarrying(value).encoded)
        #expect(text.hasSuffix(" (varbind 1 OID=\(BER.testObject), type=\(typeName), value=\(shown))"))
    }

    @Test func trapWithoutVarbindsSaysSo() throws {
        let text = try Self.text(BER.v1Trap(pdu: .trapV1PDU(varbinds: [])).encoded)
        #expect(text.hasSuffix(" Time ticks: 4242 (no varbinds)"))
    }

    @Test func varbindsAreNumberedFromOneAndSeparatedBySpaces() throws {
        let text = try Self.text(
            BER.v1Trap(
                pdu: .trapV1PDU(varbinds: [
                    BER.ifIndex2, .varbind("1.3.6.1.2.1.2.2.1.2.2", .octetString("eth1")),
                ])
            ).encoded)
        #expect(
            text.hasSuffix(
                "Time ticks: 4242 (varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2) "
                    + "(varbind 2 OID=1.3.6.1.2.1.2.2.1.2.2, type=OCTET-STRING, value=eth1)"))
    }

    @Test func oidsAreShownByNameWhenOneIsKnown() throws {
        let names: [String: String] = [
            "1.3.6.1.4.1.8072.3.2.10": "NET-SNMP-TC::linux", "1.3.6.1.2.1.2.2.1.1.2": "IF-MIB::ifIndex.2",
        ]
        let text = try Self.text(Fixtures.v1LinkDown) { names[$0.description] }
        #expect(text.contains(" Enterprise: NET-SNMP-TC::linux Network addr:192.0.2.7 "))
        #expect(text.hasSuffix("(varbind 1 OID=IF-MIB::ifIndex.2, type=INTEGER, value=2)"))
    }

    @Test func controlCharactersInTheCommunityAreEscaped() throws {
        // 04 0a 70 75 62 1b 5b 32 4a 6c 69 63: "pub", ESC [2J (clear screen), "lic"
        let text = try Self.text(
            BER.v1Trap(community: .octetString([0x70, 0x75, 0x62, 0x1B, 0x5B, 0x32, 0x4A, 0x6C, 0x69, 0x63])).encoded)
        #expect(text.contains(", Community: pub\\x1b[2Jlic Enterprise: "))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func lineBreaksInAStringValueCannotForgeALogLine() throws {
        // 04 0a 6f 6b 0a 46 41 4b 45 20 4c 4e: "ok\nFAKE LN"
        let text = try Self.text(BER.v2cCarrying(.octetString("ok\nFAKE LN")).encoded)
        #expect(!text.contains("\n"))
        #expect(text.hasSuffix("value=ok\\x0aFAKE LN)"))
    }
}
