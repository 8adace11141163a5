import Testing
import TrapDecoder

/// A datagram that must be rejected with `kind`, pointing at the element the fixture marks.
struct Rejection: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let datagram: BER
    let kind: TrapDecodingError.Kind
    /// Added to the marked element's offset: 1 when the fault is in the element's first length octet.
    let offsetFromMark: Int

    init(_ description: String, _ datagram: BER, _ kind: TrapDecodingError.Kind, atLengthOctet: Bool = false) {
        self.testDescription = description
        self.datagram = datagram
        self.kind = kind
        self.offsetFromMark = atLengthOctet ? 1 : 0
    }

    /// Decodes the datagram and checks the error's kind and offset.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = datagram.encoded
        let mark = try #require(
            datagram.markedOffset, "the fixture marks the faulty element", sourceLocation: sourceLocation)
        let error = try #require(
            decodingError(bytes), "must be rejected: \(hex(bytes))", sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.offset == mark + offsetFromMark, "\(error)", sourceLocation: sourceLocation)
    }
}

/// The strictness rules of `corpus/public/README.md` ("Strictness decisions"), one table per rule.
///
/// Every row is `Fixtures.v2cLinkDown` or `Fixtures.v1LinkDown` (as produced by the `BER` builder; a few
/// rows use `BER.v3Message`) with one field changed; the comment on a row shows the changed octets. The
/// changed element is marked, and the error must point at it: at its identifier octet, or at its first
/// length octet for length faults.
@Suite("Strictness rules (corpus/public/README.md)")
struct StrictnessRuleTests {
    static let fortyTwoOctets = [UInt8](repeating: 0x61, count: 42)  // "aaa…a", so its length is 0x2a

    // MARK: Definite lengths

    /// A v2c trap whose last varbind is a 42-octet OCTET STRING, with chosen length forms on the way down.
    static func fortyTwoOctetTrap(
        message: BER.Length? = nil, pdu: BER.Length? = nil, list: BER.Length? = nil, varbind: BER.Length? = nil,
        value: BER.Length? = nil, community: BER.Length? = nil
    ) -> BER {
        func form(_ length: BER.Length?, _ element: BER) -> BER { length.map { .length($0, element) } ?? element }
        let varbinds = BER.v2Varbinds([
            form(varbind, .varbind(BER.testObject, form(value, .octetString(fortyTwoOctets))))
        ])
        let pduElement = BER.constructed(
            BERTag.trapV2, [.integer(1), .integer(0), .integer(0), form(list, .sequence(varbinds))])
        return form(
            message,
            .message(
                version: .integer(1), community: form(community, .octetString("public")), pdu: form(pdu, pduElement)))
    }

    static let nonMinimalLengths: [(String, BER)] = [1, 2, 4].flatMap { octets -> [(String, BER)] in
        let form = BER.Length.longForm(octets: octets)
        let spelled = ["", "81 2a", "82 00 2a", "", "84 00 00 00 2a"][octets]
        return [
            ("\(spelled) on a 42-octet OCTET STRING value", fortyTwoOctetTrap(value: form)),
            ("\(octets) length octets on the message SEQUENCE", fortyTwoOctetTrap(message: form)),
            ("\(octets) length octets on the PDU", fortyTwoOctetTrap(pdu: form)),
            ("\(octets) length octets on the variable-bindings", fortyTwoOctetTrap(list: form)),
            ("\(octets) length octets on a VarBind", fortyTwoOctetTrap(varbind: form)),
            ("\(octets) length octets on the community", fortyTwoOctetTrap(community: form)),
        ]
    }

    /// X.690 §8.1.3: the long form may use more octets than needed; SNMP agents (and net-snmp) accept it.
    @Test(arguments: nonMinimalLengths)
    func nonMinimalDefiniteLengthsDecodeToTheSameMessage(_ description: String, _ datagram: BER) throws {
        let reference = try TrapMessage(decoding: Self.fortyTwoOctetTrap().encoded)
        let decoded = try TrapMessage(decoding: datagram.encoded)
        #expect(decoded == reference)
        #expect(decoded.varbinds.last?.value == .octetString(Self.fortyTwoOctets[...]))
    }

    @Test(arguments: [
        // 30 80 … 00 00: the message SEQUENCE itself
        Rejection(
            "indefinite length on the message", .marked(.length(.indefinite, .v2cTrap())), .indefiniteLength,
            atLengthOctet: true),
        // a7 80 … 00 00
        Rejection(
            "indefinite length on the PDU", .v2cTrap(pdu: .marked(.length(.indefinite, .notificationPDU()))),
            .indefiniteLength, atLengthOctet: true),
        // 04 80 61 61 … 00 00
        Rejection(
            "indefinite length on an OCTET STRING value", .v2cCarrying(.length(.indefinite, .octetString("aa"))),
            .indefiniteLength, atLengthOctet: true),
        // 30 80 06 … 02 01 02 00 00 as the last VarBind
        Rejection(
            "indefinite length on a VarBind",
            .v2cTrap(pdu: .notificationPDU(varbinds: BER.v2Varbinds([.marked(.length(.indefinite, BER.ifIndex2))]))),
            .indefiniteLength, atLengthOctet: true),
    ])
    func indefiniteLengthIsRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 30 ff …
        Rejection(
            "0xFF length on the message", .marked(.length(.explicit([0xFF]), .v2cTrap())), .badLength,
            atLengthOctet: true),
        // 04 ff 61 61
        Rejection(
            "0xFF length on an OCTET STRING value", .v2cCarrying(.length(.explicit([0xFF]), .octetString("aa"))),
            .badLength, atLengthOctet: true),
        // 02 ff 01 as request-id
        Rejection(
            "0xFF length on the request-id",
            .v2cTrap(pdu: .notificationPDU(requestID: .marked(.length(.explicit([0xFF]), .integer(1))))),
            .badLength, atLengthOctet: true),
    ])
    func reservedLengthOctetFFIsRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 30 85 00 00 00 00 LL …
        Rejection(
            "5 length octets on the message", .marked(.length(.longForm(octets: 5), .v2cTrap())), .badLength,
            atLengthOctet: true),
        // 04 85 00 00 00 00 2a "aaa…a"
        Rejection(
            "5 length octets on an OCTET STRING value",
            .v2cCarrying(.length(.longForm(octets: 5), .octetString(fortyTwoOctets))),
            .badLength, atLengthOctet: true),
        // 04 88 00 00 00 00 00 00 00 2a "aaa…a"
        Rejection(
            "8 length octets on an OCTET STRING value",
            .v2cCarrying(.length(.longForm(octets: 8), .octetString(fortyTwoOctets))),
            .badLength, atLengthOctet: true),
        // 04 fe …: 126 length octets announced
        Rejection(
            "126 length octets announced", .v2cCarrying(.length(.explicit([0xFE]), .octetString("aa"))),
            .badLength, atLengthOctet: true),
    ])
    func moreThanFourLengthOctetsAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 04 05 61 62 where the VarBind ends after "ab"
        Rejection(
            "a value longer than its VarBind", .v2cCarrying(.length(.explicit([0x05]), .octetString("ab"))),
            .truncated),
        // 02 04 01 as the last element of the VarBind: 4 announced, 1 present
        Rejection(
            "an INTEGER longer than its VarBind", .v2cCarrying(.length(.explicit([0x04]), .integer(1))), .truncated),
        // 04 82 01 …: the length octets run past the VarBind
        Rejection(
            "length octets cut by the end of the VarBind", .v2cCarrying(.raw([0x04, 0x82, 0x01])), .truncated,
            atLengthOctet: true),
        // 30 (nothing else): the message's identifier and nothing after it
        Rejection("a datagram of one identifier octet", .marked(.raw([0x30])), .truncated, atLengthOctet: true),
    ])
    func elementsMustNotExtendPastTheirContainer(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test func anEmptyDatagramIsTruncated() {
        let error = decodingError([])
        #expect(error?.kind == .truncated)
        #expect(error?.offset == 0)
    }

    // MARK: Integers

    static let unsignedTags: [(String, UInt8)] = [
        ("Counter32", BERTag.counter32), ("Gauge32", BERTag.gauge32), ("TimeTicks", BERTag.timeTicks),
        ("Counter64", BERTag.counter64),
    ]

    static let emptyIntegers: [Rejection] =
        [
            // 02 00 as version
            Rejection(
                "version", .message(version: .marked(.primitive(BERTag.integer, [])), pdu: .notificationPDU()),
                .integerOverflow),
            // 02 00 as request-id
            Rejection(
                "request-id", .v2cTrap(pdu: .notificationPDU(requestID: .marked(.primitive(BERTag.integer, [])))),
                .integerOverflow),
            // 02 00 as error-status
            Rejection(
                "error-status", .v2cTrap(pdu: .notificationPDU(errorStatus: .marked(.primitive(BERTag.integer, [])))),
                .integerOverflow),
            // 02 00 as generic-trap
            Rejection(
                "generic-trap", .v1Trap(pdu: .trapV1PDU(generic: .marked(.primitive(BERTag.integer, [])))),
                .integerOverflow),
            // 02 00 as specific-trap
            Rejection(
                "specific-trap", .v1Trap(pdu: .trapV1PDU(specific: .marked(.primitive(BERTag.integer, [])))),
                .integerOverflow),
            // 43 00 as time-stamp
            Rejection(
                "time-stamp", .v1Trap(pdu: .trapV1PDU(timeStamp: .marked(.primitive(BERTag.timeTicks, [])))),
                .integerOverflow),
            // 02 00 as a value
            Rejection("Integer32 value", .v2cCarrying(.primitive(BERTag.integer, [])), .integerOverflow),
        ]
        + unsignedTags.map { name, tag in
            // 41 00 / 42 00 / 43 00 / 46 00 as a value
            Rejection("\(name) value", .v2cCarrying(.primitive(tag, [])), .integerOverflow)
        }

    @Test(arguments: emptyIntegers)
    func integersWithNoContentOctetsAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 02 05 00 80 00 00 00
        Rejection("Integer32 value 2^31", .v2cCarrying(.integer(1 << 31)), .integerOverflow),
        // 02 05 ff 7f ff ff ff
        Rejection("Integer32 value −2^31−1", .v2cCarrying(.integer(-(1 << 31) - 1)), .integerOverflow),
        // 02 09 00 80 00 00 00 00 00 00 00
        Rejection(
            "Integer32 value 2^63",
            .v2cCarrying(.primitive(BERTag.integer, [0x00, 0x80] + [UInt8](repeating: 0, count: 7))), .integerOverflow),
        // 02 05 00 80 00 00 00 as request-id
        Rejection(
            "request-id 2^31", .v2cTrap(pdu: .notificationPDU(requestID: .marked(.integer(1 << 31)))),
            .integerOverflow),
        // 02 05 ff 7f ff ff ff as request-id
        Rejection(
            "request-id −2^31−1", .v2cTrap(pdu: .notificationPDU(requestID: .marked(.integer(-(1 << 31) - 1)))),
            .integerOverflow),
        // 02 05 01 00 00 00 00 as generic-trap
        Rejection("generic-trap 2^32", .v1Trap(pdu: .trapV1PDU(generic: .marked(.integer(1 << 32)))), .integerOverflow),
        // 02 05 00 80 00 00 00 as specific-trap
        Rejection(
            "specific-trap 2^31", .v1Trap(pdu: .trapV1PDU(specific: .marked(.integer(1 << 31)))), .integerOverflow),
        // 02 05 ff 7f ff ff ff as specific-trap
        Rejection(
            "specific-trap −2^31−1", .v1Trap(pdu: .trapV1PDU(specific: .marked(.integer(-(1 << 31) - 1)))),
            .integerOverflow),
        // 02 05 00 80 00 00 00 as version
        Rejection(
            "version 2^31", .message(version: .marked(.integer(1 << 31)), pdu: .notificationPDU()), .integerOverflow),
    ])
    func int32FieldsOutsideTheirRangeAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    static let unsignedOutOfRange: [Rejection] =
        unsignedTags.dropLast().flatMap { name, tag in
            [
                // 41 05 01 00 00 00 00 (2^32)
                Rejection("\(name) 2^32", .v2cCarrying(.unsigned(tag, 1 << 32)), .integerOverflow),
                // 41 01 ff (−1)
                Rejection("\(name) −1", .v2cCarrying(.primitive(tag, [0xFF])), .integerOverflow),
                // 41 04 80 00 00 00 (−2^31)
                Rejection("\(name) −2^31", .v2cCarrying(.primitive(tag, [0x80, 0x00, 0x00, 0x00])), .integerOverflow),
                // 41 06 00 01 00 00 00 00 (2^40)
                Rejection("\(name) 2^40", .v2cCarrying(.unsigned(tag, 1 << 40)), .integerOverflow),
            ]
        } + [
            // 43 05 01 00 00 00 00 as the v1 time-stamp
            Rejection(
                "time-stamp 2^32", .v1Trap(pdu: .trapV1PDU(timeStamp: .marked(.unsigned(BERTag.timeTicks, 1 << 32)))),
                .integerOverflow),
            // 43 01 ff as the v1 time-stamp
            Rejection(
                "time-stamp −1", .v1Trap(pdu: .trapV1PDU(timeStamp: .marked(.primitive(BERTag.timeTicks, [0xFF])))),
                .integerOverflow),
            // 46 09 01 00 00 00 00 00 00 00 00 (2^64)
            Rejection(
                "Counter64 2^64", .v2cCarrying(.primitive(BERTag.counter64, [0x01] + [UInt8](repeating: 0, count: 8))),
                .integerOverflow),
            // 46 0a 00 ff ff ff ff ff ff ff ff ff (2^72−1)
            Rejection(
                "Counter64 2^72−1",
                .v2cCarrying(.primitive(BERTag.counter64, [0x00] + [UInt8](repeating: 0xFF, count: 9))),
                .integerOverflow),
            // 46 01 80 (−128)
            Rejection("Counter64 −128", .v2cCarrying(.primitive(BERTag.counter64, [0x80])), .integerOverflow),
            // 46 08 ff ff ff ff ff ff ff ff (−1 in 8 octets, which a careless reader takes for 2^64−1)
            Rejection(
                "Counter64 −1 in 8 octets",
                .v2cCarrying(.primitive(BERTag.counter64, [UInt8](repeating: 0xFF, count: 8))), .integerOverflow),
        ]

    @Test(arguments: unsignedOutOfRange)
    func unsignedValuesOutsideTheirRangeAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    /// `lenient` in the corpus: non-minimal INTEGER contents break X.690 §8.3.2 but real agents send them;
    /// trapmux accepts them, as net-snmp does.
    static let nonMinimalIntegerContents: [(String, BER, SNMPValue)] = [
        // 02 04 00 00 00 00
        ("02 04 00 00 00 00", .primitive(BERTag.integer, [0x00, 0x00, 0x00, 0x00]), .integer(0)),
        // 02 04 ff ff ff ff
        ("02 04 ff ff ff ff", .primitive(BERTag.integer, [0xFF, 0xFF, 0xFF, 0xFF]), .integer(-1)),
        // 41 03 00 00 07
        ("Counter32 41 03 00 00 07", .primitive(BERTag.counter32, [0x00, 0x00, 0x07]), .counter32(7)),
        // 46 09 00 00 00 00 00 00 00 00 07
        (
            "Counter64 with 8 zero octets", .primitive(BERTag.counter64, [UInt8](repeating: 0, count: 8) + [0x07]),
            .counter64(7)
        ),
    ]

    @Test(arguments: nonMinimalIntegerContents)
    func nonMinimalIntegerContentsAreAccepted(_ description: String, _ value: BER, _ expected: SNMPValue) throws {
        let message = try TrapMessage(decoding: BER.v2cCarrying(value).encoded)
        #expect(message.varbinds.last?.value == expected)
    }

    @Test func nonMinimalVersionIsAccepted() throws {
        // 02 02 00 01: version 1 in two octets
        let message = try TrapMessage(decoding: BER.v2cTrap(version: .primitive(BERTag.integer, [0x00, 0x01])).encoded)
        #expect(message.version == .v2c)
    }

    // MARK: Tags

    @Test(arguments: [
        // 3f 30 LL …: universal class, tag number 48 in a second octet
        Rejection("message identifier 3f 30", .marked(.identifier([0x3F, 0x30], .v2cTrap())), .unexpectedTag),
        // 1f 02 01 01 as version
        Rejection(
            "version identifier 1f 02",
            .message(version: .marked(.identifier([0x1F, 0x02], .integer(1))), pdu: .notificationPDU()),
            .unexpectedTag),
        // bf 24 LL …: context class, constructed, tag number 36 (as in the PROTOS c06 cases)
        Rejection(
            "PDU identifier bf 24", .v2cTrap(pdu: .marked(.identifier([0xBF, 0x24], .notificationPDU()))),
            .unexpectedTag),
        // bf 87 00 LL …: tag number 7 in two continuation octets, the trap-v2 number in disguise
        Rejection(
            "PDU identifier bf 87 00", .v2cTrap(pdu: .marked(.identifier([0xBF, 0x87, 0x00], .notificationPDU()))),
            .unexpectedTag),
        // 5f 47 01 00: application class, tag number 71
        Rejection(
            "value identifier 5f 47", .v2cCarrying(.identifier([0x5F, 0x47], .primitive(0x47, [0x00]))),
            .unexpectedTag),
        // 1f 06 … as a VarBind name
        Rejection(
            "VarBind name identifier 1f 06",
            .v2cTrap(
                pdu: .notificationPDU(
                    varbinds: BER.v2Varbinds([.sequence([.marked(.identifier([0x1F, 0x06], .oid("1.3.6.1"))), .null])]))
            ),
            .unexpectedTag),
    ])
    func highTagNumberFormIsRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    static let constructedPrimitives: [Rejection] =
        [
            // 22 03 02 01 01 as version
            Rejection(
                "version as constructed INTEGER",
                .message(version: .marked(.constructed(0x22, [.integer(1)])), pdu: .notificationPDU()), .unexpectedTag),
            // 24 08 04 06 "public" as community
            Rejection(
                "community as constructed OCTET STRING",
                .message(
                    version: .integer(1), community: .marked(.constructed(0x24, [.octetString("public")])),
                    pdu: .notificationPDU()), .unexpectedTag),
            // 22 03 02 01 01 as request-id
            Rejection(
                "request-id as constructed INTEGER",
                .v2cTrap(pdu: .notificationPDU(requestID: .marked(.constructed(0x22, [.integer(1)])))), .unexpectedTag),
            // 26 … as enterprise
            Rejection(
                "enterprise as constructed OID",
                .v1Trap(pdu: .trapV1PDU(enterprise: .marked(.constructed(0x26, [.oid(BER.netSnmpEnterprise)])))),
                .unexpectedTag),
            // 60 06 40 04 c0 00 02 07 as agent-addr
            Rejection(
                "agent-addr as constructed IpAddress",
                .v1Trap(pdu: .trapV1PDU(agentAddress: .marked(.constructed(0x60, [.ipAddress(192, 0, 2, 7)])))),
                .unexpectedTag),
            // 63 04 43 02 10 92 as time-stamp
            Rejection(
                "time-stamp as constructed TimeTicks",
                .v1Trap(pdu: .trapV1PDU(timeStamp: .marked(.constructed(0x63, [.timeTicks(4242)])))), .unexpectedTag),
            // 26 05 06 03 2b 06 01 as a VarBind name
            Rejection(
                "VarBind name as constructed OID",
                .v2cTrap(
                    pdu: .notificationPDU(
                        varbinds: BER.v2Varbinds([
                            .sequence([.marked(.constructed(0x26, [.oid("1.3.6.1")])), .null])
                        ]))),
                .unexpectedTag),
        ]
        + primitiveValues.map { name, tag, content in
            // e.g. 24 04 04 02 61 62: the OCTET STRING "ab" wrapped in a constructed OCTET STRING
            Rejection(
                "\(name) value as constructed (\(hex([tag | 0x20])))",
                .v2cCarrying(.constructed(tag | 0x20, [.primitive(tag, content)])), .unexpectedTag)
        }

    /// Each value type's identifier and a valid primitive content.
    static let primitiveValues: [(String, UInt8, [UInt8])] = [
        ("INTEGER", BERTag.integer, [0x02]), ("OCTET STRING", BERTag.octetString, [0x61, 0x62]),
        ("NULL", BERTag.null, []),
        ("OID", BERTag.objectIdentifier, [0x2B, 0x06, 0x01]), ("IpAddress", BERTag.ipAddress, [192, 0, 2, 7]),
        ("Counter32", BERTag.counter32, [0x01]), ("Gauge32", BERTag.gauge32, [0x01]),
        ("TimeTicks", BERTag.timeTicks, [0x01]),
        ("Opaque", BERTag.opaque, [0x04, 0x00]), ("Counter64", BERTag.counter64, [0x01]),
        ("noSuchObject", BERTag.noSuchObject, []), ("noSuchInstance", BERTag.noSuchInstance, []),
        ("endOfMibView", BERTag.endOfMibView, []),
    ]

    @Test(arguments: constructedPrimitives)
    func constructedEncodingsOfPrimitiveTypesAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 43 02 10 92 | 03 01 00: a BIT STRING value
        Rejection("BIT STRING value", .v2cCarrying(.primitive(0x03, [0x00])), .unexpectedTag),
        // 45 01 00: application tag 5 (NsapAddress of SMIv1, gone in SNMPv2)
        Rejection("application tag 5 value", .v2cCarrying(.primitive(0x45, [0x00])), .unexpectedTag),
        // 47 01 00: application tag 7 (UInteger32 of an old draft)
        Rejection("application tag 7 value", .v2cCarrying(.primitive(0x47, [0x00])), .unexpectedTag),
        // 31 00 as the message: a SET, not a SEQUENCE
        Rejection("message as a SET", .marked(.constructed(0x31, [])), .unexpectedTag),
        // a9 …: a PDU tag SNMP does not define
        Rejection("PDU tag a9", .v2cTrap(pdu: .marked(.notificationPDU(tag: 0xA9))), .unexpectedTag),
        // 04 06 "public" where the PDU belongs
        Rejection("OCTET STRING instead of the PDU", .v2cTrap(pdu: .marked(.octetString("public"))), .unexpectedTag),
        // 02 01 01 where the community belongs
        Rejection(
            "INTEGER instead of the community",
            .message(version: .integer(1), community: .marked(.integer(1)), pdu: .notificationPDU()), .unexpectedTag),
    ])
    func tagsOutsideTheSNMPGrammarAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    // MARK: Containers

    @Test(arguments: [
        // … 02 01 02 | 00: one zero octet after the message
        Rejection("one octet after the message", .group([.v2cTrap(), .marked(.raw([0x00]))]), .trailingBytes),
        // … | 30 52 …: a second message in the same datagram
        Rejection("a second message after the first", .group([.v2cTrap(), .marked(.v2cTrap())]), .trailingBytes),
        // … | 00 00: end-of-contents octets after a definite-length message
        Rejection(
            "end-of-contents after the message", .group([.v1Trap(), .marked(.raw([0x00, 0x00]))]), .trailingBytes),
        // a7 45 … | 04 00 inside the message after the PDU
        Rejection(
            "an element after the PDU",
            .message(version: .integer(1), pdu: .notificationPDU(), trailing: [.marked(.octetString([]))]),
            .trailingBytes),
        // 30 3a … | 05 00 inside the PDU after the variable-bindings
        Rejection(
            "an element after the variable-bindings", .v2cTrap(pdu: .notificationPDU(trailing: [.marked(.null)])),
            .trailingBytes),
        // 30 11 … | 05 00 inside the Trap-PDU after the variable-bindings
        Rejection(
            "an element after the v1 variable-bindings", .v1Trap(pdu: .trapV1PDU(trailing: [.marked(.null)])),
            .trailingBytes),
        // 30 11 06 0a … 02 01 02 | 02 01 03: a VarBind with two values
        Rejection(
            "a second value in a VarBind",
            .v2cTrap(
                pdu: .notificationPDU(
                    varbinds: BER.v2Varbinds([.sequence([.oid(BER.testObject), .integer(2), .marked(.integer(3))])]))),
            .trailingBytes),
    ])
    func bytesAfterTheEndOfAContainerAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    // MARK: Versions and PDUs

    @Test(arguments: [
        // 02 01 01 | … | a4 …: a Trap-PDU in an SNMPv2c message
        Rejection("v1 Trap-PDU in a v2c message", .v2cTrap(pdu: .marked(.trapV1PDU())), .unexpectedTag),
        // 02 01 00 | … | a7 …: an SNMPv2-Trap-PDU in an SNMPv1 message
        Rejection("SNMPv2-Trap-PDU in a v1 message", .v1Trap(pdu: .marked(.notificationPDU())), .unexpectedTag),
        // 02 01 00 | … | a6 …: an InformRequest-PDU in an SNMPv1 message
        Rejection(
            "InformRequest-PDU in a v1 message", .v1Trap(pdu: .marked(.notificationPDU(tag: BERTag.informRequest))),
            .unexpectedTag),
        // 02 01 03 | … | 30 (scopedPDU) … a4 …: a Trap-PDU in an SNMPv3 scopedPDU
        Rejection("v1 Trap-PDU in a v3 scopedPDU", .v3Message(data: .scopedPDU(.marked(.trapV1PDU()))), .unexpectedTag),
    ])
    func pduMustMatchTheMessageVersion(_ rejection: Rejection) throws {
        try rejection.check()
    }

    static let requestPDUs: [(String, UInt8)] = [
        ("GetRequest", BERTag.getRequest), ("GetNextRequest", BERTag.getNextRequest), ("Response", BERTag.response),
        ("SetRequest", BERTag.setRequest), ("GetBulkRequest", BERTag.getBulkRequest), ("Report", BERTag.report),
    ]

    static let nonNotifications: [Rejection] =
        requestPDUs.map { name, tag in
            // 02 01 01 | 04 06 "public" | a0/a1/a2/a3/a5/a8 …
            Rejection("\(name)-PDU in v2c", .v2cTrap(pdu: .marked(.notificationPDU(tag: tag))), .notANotification)
        } + [
            // 02 01 00 | 04 06 "public" | a0 …
            Rejection(
                "GetRequest-PDU in v1", .v1Trap(pdu: .marked(.notificationPDU(tag: BERTag.getRequest))),
                .notANotification),
            // 02 01 00 | 04 06 "public" | a2 …
            Rejection(
                "Response-PDU in v1", .v1Trap(pdu: .marked(.notificationPDU(tag: BERTag.response))), .notANotification),
            // 02 01 03 | … | a8 … in the scopedPDU
            Rejection(
                "Report-PDU in v3", .v3Message(data: .scopedPDU(.marked(.notificationPDU(tag: BERTag.report)))),
                .notANotification),
        ]

    @Test(arguments: nonNotifications)
    func pdusThatAreNotNotificationsAreRejected(_ rejection: Rejection) throws {
        try rejection.check()
    }

    static let unsupportedVersions: [(String, BER)] = [
        // 02 01 02: version 2 (SNMPv2u/v2*, never deployed)
        ("version 2", .integer(2)),
        // 02 01 04
        ("version 4", .integer(4)),
        // 02 01 ff
        ("version −1", .integer(-1)),
        // 02 04 7f ff ff ff
        ("version 2^31−1", .integer(Int64(Int32.max))),
    ]

    @Test(arguments: unsupportedVersions)
    func versionsOtherThan0_1_3AreRejected(_ description: String, _ version: BER) throws {
        for pdu in [BER.notificationPDU(), .trapV1PDU()] {
            try Rejection(description, .message(version: .marked(version), pdu: pdu), .unsupportedVersion).check()
        }
    }

    // MARK: Value constraints

    @Test(arguments: [
        // 40 00
        Rejection("IpAddress of 0 octets", .v2cCarrying(.primitive(BERTag.ipAddress, [])), .badLength),
        // 40 03 c0 00 02
        Rejection("IpAddress of 3 octets", .v2cCarrying(.primitive(BERTag.ipAddress, [192, 0, 2])), .badLength),
        // 40 05 c0 00 02 07 00
        Rejection("IpAddress of 5 octets", .v2cCarrying(.primitive(BERTag.ipAddress, [192, 0, 2, 7, 0])), .badLength),
        // 40 10 20 01 0d b8 …: an IPv6 address where IpAddress is IPv4 only
        Rejection(
            "IpAddress of 16 octets",
            .v2cCarrying(.primitive(BERTag.ipAddress, [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 12))),
            .badLength),
        // 40 03 c0 00 02 as a v1 value
        Rejection(
            "v1 IpAddress value of 3 octets", .v1Carrying(.primitive(BERTag.ipAddress, [192, 0, 2])), .badLength),
        // 40 05 c0 00 02 07 00 as agent-addr
        Rejection(
            "agent-addr of 5 octets",
            .v1Trap(pdu: .trapV1PDU(agentAddress: .marked(.primitive(BERTag.ipAddress, [192, 0, 2, 7, 0])))), .badLength
        ),
        // 40 00 as agent-addr
        Rejection(
            "agent-addr of 0 octets", .v1Trap(pdu: .trapV1PDU(agentAddress: .marked(.primitive(BERTag.ipAddress, [])))),
            .badLength),
    ])
    func ipAddressMustBeFourOctets(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 05 01 00
        Rejection("NULL with one octet", .v2cCarrying(.primitive(BERTag.null, [0x00])), .badValue),
        // 05 01 00 in a v1 trap
        Rejection("v1 NULL with one octet", .v1Carrying(.primitive(BERTag.null, [0x00])), .badValue),
        // 80 01 00
        Rejection("noSuchObject with content", .v2cCarrying(.primitive(BERTag.noSuchObject, [0x00])), .badValue),
        // 81 02 00 00
        Rejection(
            "noSuchInstance with content", .v2cCarrying(.primitive(BERTag.noSuchInstance, [0x00, 0x00])), .badValue),
        // 82 01 05
        Rejection("endOfMibView with content", .v2cCarrying(.primitive(BERTag.endOfMibView, [0x05])), .badValue),
    ])
    func nullAndExceptionValuesMustBeEmpty(_ rejection: Rejection) throws {
        try rejection.check()
    }

    @Test(arguments: [
        // 46 01 01 in a v1 trap
        Rejection("Counter64 in v1", .v1Carrying(.unsigned(BERTag.counter64, 1)), .unexpectedTag),
        // 80 00 in a v1 trap
        Rejection("noSuchObject in v1", .v1Carrying(.primitive(BERTag.noSuchObject, [])), .unexpectedTag),
        // 81 00 in a v1 trap
        Rejection("noSuchInstance in v1", .v1Carrying(.primitive(BERTag.noSuchInstance, [])), .unexpectedTag),
        // 82 00 in a v1 trap
        Rejection("endOfMibView in v1", .v1Carrying(.primitive(BERTag.endOfMibView, [])), .unexpectedTag),
    ])
    func snmpV2OnlyValueTypesAreRejectedInV1(_ rejection: Rejection) throws {
        try rejection.check()
    }

    // MARK: Nesting

    /// `depth` SEQUENCEs one inside the other, the innermost (`30 00`) marked when `markInnermost`.
    static func nestedSequences(_ depth: Int, markInnermost: Bool) -> BER {
        var node: BER = markInnermost ? .marked(.sequence([])) : .sequence([])
        for _ in 1..<depth { node = .sequence([node]) }
        return node
    }

    @Test func readerAcceptsSixtyFourNestedElements() throws {
        let bytes = Self.nestedSequences(BERReader.maximumDepth, markInnermost: false).encoded
        var reader = BERReader(bytes[...])
        for _ in 0..<BERReader.maximumDepth {
            reader = try reader.readConstructed(BERTag.sequence)
        }
        #expect(reader.isAtEnd)
    }

    @Test func readerRejectsNestingDeeperThanSixtyFour() throws {
        let datagram = Self.nestedSequences(BERReader.maximumDepth + 1, markInnermost: true)
        let bytes = datagram.encoded
        var reader = BERReader(bytes[...])
        for _ in 0..<BERReader.maximumDepth {
            reader = try reader.readConstructed(BERTag.sequence)
        }
        do throws(TrapDecodingError) {
            _ = try reader.readConstructed(BERTag.sequence)
            Issue.record("the 65th nested SEQUENCE must be refused")
        } catch {
            #expect(error.kind == .nestingTooDeep)
            #expect(error.offset == datagram.markedOffset)
        }
    }

    @Test func deeplyNestedDatagramIsRejectedAtTheFirstWrongTag() throws {
        // 30 84 00 00 ea 56 | 30 84 00 00 ea 50 | … 10,000 levels … | 30 00: no SNMP message nests like this;
        // the decoder follows the grammar, so it stops at offset 6 where the version INTEGER belongs.
        let levels = 10_000
        var bytes: [UInt8] = []
        for level in 0..<(levels - 1) {
            bytes += [BERTag.sequence, 0x84] + BER.bigEndian(UInt64((levels - 2 - level) * 6 + 2), octets: 4)
        }
        bytes += [BERTag.sequence, 0x00]
        #expect(bytes.count == (levels - 1) * 6 + 2)
        let error = try #require(decodingError(bytes))
        #expect(error.kind == .unexpectedTag)
        #expect(error.offset == 6)
    }
}
