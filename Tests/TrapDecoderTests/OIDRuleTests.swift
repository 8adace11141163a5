import Testing
import TrapDecoder

/// OBJECT IDENTIFIER rules: RFC 2578 §7.1.3 (at most 128 sub-identifiers, each at most 2^32−1) and
/// X.690 §8.19 (base-128 sub-identifiers without a leading 0x80, the first packing 40·X+Y, arc 2 unbounded).
@Suite("OBJECT IDENTIFIER rules")
struct OIDRuleTests {
    /// 1.3 followed by `count − 2` arcs of 1.
    static func arcsOfOne(_ count: Int) -> String {
        (["1", "3"] + Array(repeating: "1", count: count - 2)).joined(separator: ".")
    }

    static let validOIDs: [(String, [UInt8], String)] = [
        // 06 03 2b 06 01
        ("1.3.6.1", [0x2B, 0x06, 0x01], "1.3.6.1"),
        // 06 01 00: the smallest OID, 0.0
        ("0.0", [0x00], "0.0"),
        // 06 01 4f: 40·1 + 39
        ("1.39", [0x4F], "1.39"),
        // 06 01 78: 80 + 40, arc 2's second arc above 39
        ("2.40", [0x78], "2.40"),
        // 06 02 81 00: 80 + 48 = 128 needs two octets
        ("2.48", [0x81, 0x00], "2.48"),
        // 06 03 88 37 03: X.690's own example, 80 + 999 = 1079
        ("2.999.3", [0x88, 0x37, 0x03], "2.999.3"),
        // 06 05 90 80 80 80 4f: 80 + (2^32−1), the largest first sub-identifier
        ("2.4294967295", BER.oidContent([2, 4_294_967_295]), "2.4294967295"),
        // 06 0a 2b 06 01 04 01 8f ff ff ff 7f: a sub-identifier of 2^32−1
        ("1.3.6.1.4.1.4294967295", BER.oidContent([1, 3, 6, 1, 4, 1, 4_294_967_295]), "1.3.6.1.4.1.4294967295"),
        // 06 7f 2b 01 01 … 01: exactly 128 sub-identifiers (127 content octets)
        ("128 sub-identifiers", BER.oidContent([1, 3] + Array(repeating: 1, count: 126)), arcsOfOne(128)),
    ]

    @Test(arguments: validOIDs)
    func oidsWithinTheLimitsDecode(_ description: String, _ content: [UInt8], _ dotted: String) throws {
        let oid = try OID(encoded: content[...])
        #expect(oid.description == dotted)
        #expect(oid.count == dotted.split(separator: ".").count)
        // As a VarBind name and as a value, in a whole message.
        let element = BER.primitive(BERTag.objectIdentifier, content)
        let message = try TrapMessage(
            decoding: BER.v2cTrap(
                pdu: .notificationPDU(
                    varbinds: BER.v2Varbinds([.sequence([element, element])]))
            ).encoded)
        let varbind = try #require(message.varbinds.last)
        #expect(varbind.oid.description == dotted)
        #expect(varbind.value == .objectIdentifier(oid))
    }

    @Test func dottedTextRoundTripsThroughTheArcs() throws {
        for (_, content, dotted) in Self.validOIDs {
            let parsed = try #require(OID(dotted))
            #expect(Array(parsed.encoded) == content, "\(dotted)")
        }
    }

    static let malformedOIDs: [(String, [UInt8])] = [
        // 06 00
        ("empty", []),
        // 06 03 2b 06 81: the last octet has the continuation bit
        ("unterminated last sub-identifier", [0x2B, 0x06, 0x81]),
        // 06 01 81
        ("one unterminated octet", [0x81]),
        // 06 04 2b 06 80 01: sub-identifier 1 padded with 0x80
        ("leading 0x80 in a later sub-identifier", [0x2B, 0x06, 0x80, 0x01]),
        // 06 03 80 2b 06: the first sub-identifier padded
        ("leading 0x80 in the first sub-identifier", [0x80, 0x2B, 0x06]),
        // 06 02 2b 80: a lone padding octet at the end
        ("a lone 0x80", [0x2B, 0x80]),
        // 06 0a 2b 06 01 04 01 90 80 80 80 00: 2^32
        ("sub-identifier 2^32", BER.oidContent([1, 3, 6, 1, 4, 1, 1 << 32])),
        // 06 … ff ff ff ff ff ff ff ff ff 7f: 2^70−1, which would also overflow a 64-bit accumulator
        ("sub-identifier 2^70−1", [0x2B] + [UInt8](repeating: 0xFF, count: 9) + [0x7F]),
        // 06 05 90 80 80 80 50: 80 + 2^32, arc 2's second arc above 2^32−1
        ("arc 2 with a second arc of 2^32", BER.oidContent([2, 1 << 32])),
        // 06 81 80 2b 01 … 01: 129 sub-identifiers (128 content octets)
        ("129 sub-identifiers", BER.oidContent([1, 3] + Array(repeating: 1, count: 127))),
        // 06 81 c7 2b 01 … 01: 200 sub-identifiers
        ("200 sub-identifiers", BER.oidContent([1, 3] + Array(repeating: 1, count: 198))),
        // 06 81 c1 2b 81 01 … 81 01 01 … 01: 130 sub-identifiers, 64 of them in two octets (193 content octets)
        (
            "130 sub-identifiers of mixed size",
            BER.oidContent([1, 3] + Array(repeating: 129, count: 64) + Array(repeating: 1, count: 64))
        ),
    ]

    @Test(arguments: malformedOIDs)
    func malformedOIDsAreRejectedWherever(_ description: String, _ content: [UInt8]) throws {
        let oid = BER.primitive(BERTag.objectIdentifier, content)
        #expect(throws: TrapDecodingError(.badOID, at: 0, "")) { try OID(encoded: content[...]) }
        let placements: [(String, BER)] = [
            ("as a value", .v2cCarrying(oid)),
            (
                "as a VarBind name",
                .v2cTrap(pdu: .notificationPDU(varbinds: BER.v2Varbinds([.sequence([.marked(oid), .null])])))
            ),
            (
                "as snmpTrapOID.0's value",
                .v2cTrap(
                    pdu: .notificationPDU(varbinds: [
                        .varbind("1.3.6.1.2.1.1.3.0", .timeTicks(1)),
                        .sequence([.oid("1.3.6.1.6.3.1.1.4.1.0"), .marked(oid)]),
                    ]))
            ),
            ("as the v1 enterprise", .v1Trap(pdu: .trapV1PDU(enterprise: .marked(oid)))),
            ("as a v1 value", .v1Carrying(oid)),
        ]
        for (placement, datagram) in placements {
            try Rejection("\(description) \(placement)", datagram, .badOID).check()
        }
    }
}
