import Testing
import TrapDecoder
import TrapEvents

/// What USM processing needs from the decoder: the envelope without its scopedPDU, and a scopedPDU decoded later
/// from decrypted octets.
@Suite("SNMPv3 envelope and scopedPDU")
struct SNMPv3ScopedPDUTests {
    /// 30 .. | 04 02 "ce" contextEngineID | 04 00 contextName | a7 .. SNMPv2-Trap-PDU (request-id 5, no varbinds)
    static let scopedTrap: [UInt8] = [
        0x30, 0x13, 0x04, 0x02, 0x63, 0x65, 0x04, 0x00,
        0xa7, 0x0b, 0x02, 0x01, 0x05, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
    ]

    /// 30 .. | 02 01 03 | msgGlobalData (msgID 1, msgMaxSize 65507, flags 0x04, model 3)
    /// | 04 .. USM (engine empty, boots 0, time 0, user "u", no auth, no priv) | the scopedPDU above, as a GetRequest
    static let probe: [UInt8] = [
        0x30, 0x3b, 0x02, 0x01, 0x03,
        0x30, 0x0e, 0x02, 0x01, 0x01, 0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
        0x04, 0x11, 0x30, 0x0f, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x01, 0x75, 0x04, 0x00,
        0x04, 0x00,
        0x30, 0x13, 0x04, 0x02, 0x63, 0x65, 0x04, 0x00,
        0xa0, 0x0b, 0x02, 0x01, 0x05, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
    ]

    /// The probe's header, standing in for that of a message whose scopedPDU was decrypted.
    static var header: SNMPv3Header {
        get throws { try SNMPv3Envelope(decoding: probe[...]).header }
    }

    @Test func envelopeReadsAProbeThatIsNoNotification() throws {
        let envelope = try SNMPv3Envelope(decoding: Self.probe[...])
        #expect(envelope.header.flags == 0x04)
        #expect(envelope.header.usm?.userName == [0x75][...])
        #expect(envelope.dataOffset == 40)
        #expect(envelope.data == .plaintext(Self.probe[40...]))
        #expect(throws: TrapDecodingError(.notANotification, at: 0, "")) {
            try TrapMessage(decoding: Self.probe)
        }
    }

    @Test func envelopeRefusesOtherVersions() {
        var v2c = Self.probe
        v2c[4] = 0x01
        #expect(throws: TrapDecodingError(.unsupportedVersion, at: 0, "")) { try SNMPv3Envelope(decoding: v2c[...]) }
    }

    @Test func decryptedScopedPDUDecodesWithItsContext() throws {
        let message = try TrapMessage(v3: try Self.header, scopedPDU: Self.scopedTrap[...])
        #expect(message.v3?.contextEngineID == [0x63, 0x65][...])
        #expect(message.v3?.contextName == [][...])
        #expect(message.pdu == .trapV2(NotificationPDU(requestID: 5, varbinds: [])))
    }

    @Test(arguments: 0...7)
    func desPaddingOfUpToSevenOctetsIsAccepted(_ padding: Int) throws {
        let padded = Self.scopedTrap + Array(repeating: 0xAA, count: padding)
        _ = try TrapMessage(v3: try Self.header, scopedPDU: padded[...], padded: true)
    }

    @Test func eightOctetsAfterTheScopedPDUAreNotPadding() {
        let padded = Self.scopedTrap + Array(repeating: 0, count: 8)
        #expect(throws: TrapDecodingError(.trailingBytes, at: 0, "")) {
            try TrapMessage(v3: try Self.header, scopedPDU: padded[...], padded: true)
        }
        #expect(throws: TrapDecodingError(.trailingBytes, at: 0, "")) {
            try TrapMessage(v3: try Self.header, scopedPDU: (Self.scopedTrap + [0])[...])
        }
    }

    @Test func v3OperatorTextNamesTheUser() throws {
        var writer = BERWriter()
        writer.constructed(BERTag.sequence) { scoped in
            scoped.primitive(BERTag.octetString, [UInt8]())
            scoped.primitive(BERTag.octetString, [UInt8]())
            scoped.constructed(BERTag.trapV2) { pdu in
                pdu.integer(5)
                pdu.integer(0)
                pdu.integer(0)
                pdu.varbinds([
                    VarBind(oid: OID("1.3.6.1.2.1.1.3.0")!, value: .timeTicks(7)),
                    VarBind(oid: OID("1.3.6.1.6.3.1.1.4.1.0")!, value: .objectIdentifier(OID("1.3.6.1.6.3.1.1.5.1")!)),
                ])
            }
        }
        let message = try TrapMessage(v3: try Self.header, scopedPDU: writer.bytes[...])
        let classification = try #require(message.classify(source: "192.0.2.1"))
        let text = message.operatorText(processName: "trapmux", classification: classification)
        #expect(
            text.hasPrefix("Coldstart Trap SNMP-Trap-Multiplexer trapmux, Version: 3, User: u Enterprise: "), "\(text)")
    }
}
