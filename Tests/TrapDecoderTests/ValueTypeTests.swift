import Testing
import TrapDecoder

/// One varbind value encoding and the `SNMPValue` it must decode to.
struct ValueCase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let element: BER
    let expected: SNMPValue
    /// The corpus schema's `type` name.
    let typeName: String

    init(_ description: String, _ element: BER, _ expected: SNMPValue, _ typeName: String) {
        self.testDescription = description
        self.element = element
        self.expected = expected
        self.typeName = typeName
    }

    /// Whether SNMPv1 has this type (Counter64 and the exceptions came with SNMPv2).
    var existsInV1: Bool { !["Counter64", "NoSuchObject", "NoSuchInstance", "EndOfMibView"].contains(typeName) }
}

/// Every SMI value type (RFC 2578 §7.1, RFC 3416 §3) decodes to the matching `SNMPValue`, at its range limits.
@Suite("SMI value types")
struct ValueTypeTests {
    static let values: [ValueCase] = [
        // 02 01 2a
        ValueCase("Integer 42", .integer(42), .integer(42), "Integer"),
        // 02 01 ff
        ValueCase("Integer −1", .integer(-1), .integer(-1), "Integer"),
        // 02 04 80 00 00 00
        ValueCase("Integer −2^31", .integer(Int64(Int32.min)), .integer(.min), "Integer"),
        // 02 04 7f ff ff ff
        ValueCase("Integer 2^31−1", .integer(Int64(Int32.max)), .integer(.max), "Integer"),
        // 04 03 61 62 63
        ValueCase("OctetString \"abc\"", .octetString("abc"), .octetString([0x61, 0x62, 0x63]), "OctetString"),
        // 04 00
        ValueCase("empty OctetString", .octetString([]), .octetString([]), "OctetString"),
        // 04 04 00 ff 0d 0a: binary octets stay octets
        ValueCase(
            "binary OctetString", .octetString([0x00, 0xFF, 0x0D, 0x0A]), .octetString([0x00, 0xFF, 0x0D, 0x0A]),
            "OctetString"),
        // 05 00
        ValueCase("Null", .null, .null, "Null"),
        // 06 09 2b 06 01 06 03 01 01 05 03
        ValueCase(
            "ObjectIdentifier", .oid("1.3.6.1.6.3.1.1.5.3"), .objectIdentifier(OID("1.3.6.1.6.3.1.1.5.3")!),
            "ObjectIdentifier"),
        // 40 04 c0 00 02 07
        ValueCase("IpAddress", .ipAddress(192, 0, 2, 7), .ipAddress(IPv4Address(0xC000_0207)), "IpAddress"),
        // 40 04 ff ff ff ff
        ValueCase(
            "IpAddress 255.255.255.255", .ipAddress(255, 255, 255, 255), .ipAddress(IPv4Address(.max)), "IpAddress"),
        // 41 01 00
        ValueCase("Counter32 0", .unsigned(BERTag.counter32, 0), .counter32(0), "Counter32"),
        // 41 05 00 ff ff ff ff
        ValueCase("Counter32 2^32−1", .unsigned(BERTag.counter32, UInt64(UInt32.max)), .counter32(.max), "Counter32"),
        // 42 02 00 80
        ValueCase("Gauge32 128", .unsigned(BERTag.gauge32, 128), .gauge32(128), "Gauge32"),
        // 42 05 00 ff ff ff ff
        ValueCase("Gauge32 2^32−1", .unsigned(BERTag.gauge32, UInt64(UInt32.max)), .gauge32(.max), "Gauge32"),
        // 43 02 10 92
        ValueCase("TimeTicks 4242", .timeTicks(4242), .timeTicks(4242), "TimeTicks"),
        // 43 05 00 ff ff ff ff
        ValueCase("TimeTicks 2^32−1", .timeTicks(.max), .timeTicks(.max), "TimeTicks"),
        // 44 07 9f 78 04 3f 80 00 00: net-snmp's float wrapper for 1.0, kept raw
        ValueCase(
            "Opaque float", .primitive(BERTag.opaque, [0x9F, 0x78, 0x04, 0x3F, 0x80, 0x00, 0x00]),
            .opaque([0x9F, 0x78, 0x04, 0x3F, 0x80, 0x00, 0x00]), "Opaque"),
        // 44 00
        ValueCase("empty Opaque", .primitive(BERTag.opaque, []), .opaque([]), "Opaque"),
        // 46 01 01
        ValueCase("Counter64 1", .unsigned(BERTag.counter64, 1), .counter64(1), "Counter64"),
        // 46 05 01 00 00 00 00
        ValueCase("Counter64 2^32", .unsigned(BERTag.counter64, 1 << 32), .counter64(1 << 32), "Counter64"),
        // 46 08 7f ff ff ff ff ff ff ff
        ValueCase(
            "Counter64 2^63−1", .unsigned(BERTag.counter64, UInt64(Int64.max)), .counter64(UInt64(Int64.max)),
            "Counter64"),
        // 46 09 00 ff ff ff ff ff ff ff ff
        ValueCase("Counter64 2^64−1", .unsigned(BERTag.counter64, .max), .counter64(.max), "Counter64"),
        // 80 00
        ValueCase("noSuchObject", .primitive(BERTag.noSuchObject, []), .noSuchObject, "NoSuchObject"),
        // 81 00
        ValueCase("noSuchInstance", .primitive(BERTag.noSuchInstance, []), .noSuchInstance, "NoSuchInstance"),
        // 82 00
        ValueCase("endOfMibView", .primitive(BERTag.endOfMibView, []), .endOfMibView, "EndOfMibView"),
    ]

    @Test(arguments: values)
    func everyValueTypeDecodesInV2c(_ value: ValueCase) throws {
        let message = try TrapMessage(decoding: BER.v2cCarrying(value.element).encoded)
        #expect(message.version == .v2c)
        #expect(message.varbinds.count == 3)
        let varbind = try #require(message.varbinds.last)
        #expect(varbind.oid == OID(BER.testObject))
        #expect(varbind.value == value.expected)
        #expect(varbind.value.typeName == value.typeName)
    }

    @Test(arguments: values.filter(\.existsInV1))
    func everySMIv1ValueTypeDecodesInV1(_ value: ValueCase) throws {
        let message = try TrapMessage(decoding: BER.v1Carrying(value.element).encoded)
        #expect(message.version == .v1)
        #expect(message.varbinds.map(\.value) == [value.expected])
    }

    @Test func everyValueTypeIsCovered() {
        let covered = Set(Self.values.map(\.typeName))
        #expect(
            covered == [
                "Integer", "OctetString", "Null", "ObjectIdentifier", "IpAddress", "Counter32", "Gauge32", "TimeTicks",
                "Opaque", "Counter64", "NoSuchObject", "NoSuchInstance", "EndOfMibView",
            ])
    }

    @Test func octetStringValuesAreViewsOfTheDatagram() throws {
        // The decoder promises no copies: the value's indices are those of its octets in the datagram.
        let bytes = BER.v2cCarrying(.octetString("abc")).encoded
        let message = try TrapMessage(decoding: bytes)
        guard case .octetString(let octets) = message.varbinds.last?.value else {
            Issue.record("expected an OctetString")
            return
        }
        #expect(octets.startIndex == bytes.count - 3)
        #expect(octets.endIndex == bytes.count)
    }

    @Test func headerFieldsDecodeAtTheirRangeLimits() throws {
        // request-id −2^31 (02 04 80 00 00 00), error-status 2^31−1, generic-trap and specific-trap ±2^31.
        let v2 = try TrapMessage(
            decoding: BER.v2cTrap(
                pdu: .notificationPDU(
                    requestID: .integer(Int64(Int32.min)), errorStatus: .integer(Int64(Int32.max)),
                    errorIndex: .integer(-1))
            ).encoded)
        guard case .trapV2(let notification) = v2.pdu else {
            Issue.record("expected a trap-v2")
            return
        }
        #expect(notification.requestID == .min)
        #expect(notification.errorStatus == .max)
        #expect(notification.errorIndex == -1)

        let v1 = try TrapMessage(
            decoding: BER.v1Trap(
                pdu: .trapV1PDU(
                    generic: .integer(Int64(Int32.max)), specific: .integer(Int64(Int32.min)),
                    timeStamp: .timeTicks(.max))
            ).encoded)
        guard case .trapV1(let trap) = v1.pdu else {
            Issue.record("expected a trap-v1")
            return
        }
        #expect(trap.genericTrap == .max)
        #expect(trap.specificTrap == .min)
        #expect(trap.timeStamp == .max)
    }

    @Test func v1TrapFieldsDecodeFromTheDissectedFixture() throws {
        let message = try TrapMessage(decoding: Fixtures.v1LinkDown)
        #expect(message.version == .v1)
        #expect(message.community == Array("public".utf8)[...])
        guard case .trapV1(let trap) = message.pdu else {
            Issue.record("expected a trap-v1")
            return
        }
        #expect(trap.enterprise.description == "1.3.6.1.4.1.8072.3.2.10")
        #expect(trap.agentAddress.description == "192.0.2.7")
        #expect(trap.genericTrap == 2)
        #expect(trap.specificTrap == 0)
        #expect(trap.timeStamp == 4242)
        #expect(trap.varbinds == [VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.2")!, value: .integer(2))])
    }

    @Test func informDecodesAsAnInform() throws {
        let message = try TrapMessage(decoding: Fixtures.v2cInformColdStart)
        #expect(message.community == Array("private".utf8)[...])
        guard case .inform(let inform) = message.pdu else {
            Issue.record("expected an inform")
            return
        }
        #expect(inform.requestID == .max)
        #expect(inform.varbinds.map(\.value) == [.timeTicks(100_000), .objectIdentifier(OID("1.3.6.1.6.3.1.1.5.1")!)])
    }

    @Test func v3PlaintextScopedPDUDecodes() throws {
        let message = try TrapMessage(decoding: BER.v3Message(data: .scopedPDU(.notificationPDU())).encoded)
        #expect(message.version == .v3)
        #expect(message.community == nil)
        #expect(message.v3?.usm?.userName == Array("operator".utf8)[...])
        #expect(message.v3?.contextName == [])
        #expect(message.pdu.typeName == "trap-v2")
        #expect(message.varbinds.count == 3)
    }

    @Test func v3EncryptedScopedPDUDecodesAsEncrypted() throws {
        // msgData as 04 04 de ad be ef: an encryptedPDU, which trapmux holds no keys to read
        let message = try TrapMessage(
            decoding: BER.v3Message(flags: 0x03, data: .octetString([0xDE, 0xAD, 0xBE, 0xEF])).encoded)
        #expect(message.pdu == .encrypted([0xDE, 0xAD, 0xBE, 0xEF]))
        #expect(message.v3?.flags == 0x03)
        #expect(message.varbinds.isEmpty)
    }
}
