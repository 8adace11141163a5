import Testing

@testable import TrapDecoder

/// SPEC §3: redundant leading `00`/`FF` content octets are accepted in every INTEGER-like field when the value
/// still fits (pysnmp writes request-id −2^31 as `02 05 ff 80 00 00 00`; net-snmp accepts it); the same padding
/// around a value that does not fit is still an error.
@Suite("Integers with redundant leading octets")
struct IntegerEncodingTests {
    /// One field of a message, encoded with `content`, and what decoding must find there.
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let datagram: [UInt8]
        /// The value the field must hold, as Int64 (signed fields) or UInt64 (unsigned); nil = must be rejected.
        let expected: Int128?
        let read: @Sendable (TrapMessage) -> Int128?
    }

    static func padded(_ octets: [UInt8]) -> String { octets.map { String($0, radix: 16) }.joined(separator: " ") }

    static func signedField(
        _ name: String, _ content: [UInt8], _ expected: Int64?, build: (BER) -> BER,
        read: @escaping @Sendable (TrapMessage) -> Int128?
    ) -> Case {
        Case(
            testDescription: "\(name) \(padded(content))", datagram: build(.primitive(BERTag.integer, content)).encoded,
            expected: expected.map { Int128($0) }, read: read)
    }

    static func notification(_ message: TrapMessage) -> NotificationPDU? {
        if case .trapV2(let pdu) = message.pdu { return pdu }
        return nil
    }

    static func v1(_ message: TrapMessage) -> TrapV1PDU? {
        if case .trapV1(let pdu) = message.pdu { return pdu }
        return nil
    }

    /// −2^31 and 2^31−1 with one and two redundant octets; −2^31−1 and 2^31 padded the same way.
    static let int32Limits: [([UInt8], Int64?)] = [
        ([0xFF, 0x80, 0x00, 0x00, 0x00], -(1 << 31)),
        ([0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00], -(1 << 31)),
        ([0x00, 0x7F, 0xFF, 0xFF, 0xFF], (1 << 31) - 1),
        ([0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF], (1 << 31) - 1),
        ([0xFF, 0xFF, 0xFF], -1),
        ([0x00, 0x00, 0x00, 0x00, 0x00, 0x00], 0),
        ([0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF], nil),
        ([0x00, 0x00, 0x80, 0x00, 0x00, 0x00], nil),
        ([0xFF, 0x00, 0x00, 0x00, 0x00, 0x00], nil),
    ]

    static let signedCases: [Case] = int32Limits.flatMap { content, value -> [Case] in
        [
            signedField("request-id", content, value, build: { .v2cTrap(pdu: .notificationPDU(requestID: $0)) }) {
                notification($0).map { Int128($0.requestID) }
            },
            signedField("error-status", content, value, build: { .v2cTrap(pdu: .notificationPDU(errorStatus: $0)) }) {
                notification($0).map { Int128($0.errorStatus) }
            },
            signedField("error-index", content, value, build: { .v2cTrap(pdu: .notificationPDU(errorIndex: $0)) }) {
                notification($0).map { Int128($0.errorIndex) }
            },
            signedField("specific-trap", content, value, build: { .v1Trap(pdu: .trapV1PDU(specific: $0)) }) {
                v1($0).map { Int128($0.specificTrap) }
            },
            signedField("Integer32 value", content, value, build: { .v2cCarrying($0) }) {
                guard case .integer(let v) = $0.varbinds.last?.value else { return nil }
                return Int128(v)
            },
        ]
    } + [
        signedField("version (v1)", [0x00, 0x00, 0x00], 0, build: { .v1Trap(version: $0) }) { Int128($0.version.rawValue) },
        signedField("version (v2c)", [0x00, 0x00, 0x00, 0x00, 0x01], 1, build: { .v2cTrap(version: $0) }) {
            Int128($0.version.rawValue)
        },
        signedField("generic-trap", [0x00, 0x00, 0x06], 6, build: { .v1Trap(pdu: .trapV1PDU(generic: $0)) }) {
            v1($0).map { Int128($0.genericTrap) }
        },
    ]

    static func unsignedValue(_ value: SNMPValue?) -> Int128? {
        switch value {
        case .counter32(let v), .gauge32(let v), .timeTicks(let v): return Int128(v)
        case .counter64(let v): return Int128(v)
        default: return nil
        }
    }

    static let unsignedCases: [Case] =
        [("Counter32", BERTag.counter32), ("Gauge32", BERTag.gauge32), ("TimeTicks", BERTag.timeTicks)].flatMap {
            name, tag -> [Case] in
            [
                ([0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], Int128(UInt32.max)),
                ([0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], Int128(UInt32.max)),
                ([0x00, 0x00, 0x00], 0),
                ([0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], nil),
                ([0xFF, 0xFF, 0xFF, 0xFF, 0xFF], nil),
            ].map { content, expected in
                Case(
                    testDescription: "\(name) \(padded(content))", datagram: BER.v2cCarrying(.primitive(tag, content)).encoded,
                    expected: expected, read: { unsignedValue($0.varbinds.last?.value) })
            }
        } + [
            ([0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF], Int128(UInt32.max)),
            ([0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], nil),
        ].map { content, expected in
            Case(
                testDescription: "v1 time-stamp \(padded(content))",
                datagram: BER.v1Trap(pdu: .trapV1PDU(timeStamp: .primitive(BERTag.timeTicks, content))).encoded,
                expected: expected, read: { v1($0).map { Int128($0.timeStamp) } })
        } + [
            ([0x00, 0x00] + [UInt8](repeating: 0xFF, count: 8), Int128(UInt64.max)),
            ([0x00, 0x00, 0x00], 0),
            ([0x00, 0x01] + [UInt8](repeating: 0x00, count: 8), nil),
        ].map { content, expected in
            Case(
                testDescription: "Counter64 \(padded(content))",
                datagram: BER.v2cCarrying(.primitive(BERTag.counter64, content)).encoded,
                expected: expected, read: { unsignedValue($0.varbinds.last?.value) })
        }

    @Test(arguments: signedCases + unsignedCases)
    func paddedValuesDecodeWhenTheyFitAndAreRejectedOtherwise(_ example: Case) throws {
        #expect(TrapMessage.fastPathAgrees(on: example.datagram[...]))
        if let expected = example.expected {
            let message = try TrapMessage(decoding: example.datagram)
            #expect(example.read(message) == expected)
        } else {
            #expect(throws: TrapDecodingError.self) { try TrapMessage(decoding: example.datagram) }
            do {
                _ = try TrapMessage(decoding: example.datagram)
            } catch {
                #expect(error.kind == .integerOverflow)
            }
        }
    }

    @Test func pysnmpsRequestIDMinus2To31Decodes() throws {
        // 02 05 ff 80 00 00 00: pysnmp's encoding of request-id −2^31
        let datagram = BER.v2cTrap(pdu: .notificationPDU(requestID: .primitive(BERTag.integer, [0xFF, 0x80, 0, 0, 0]))).encoded
        let message = try TrapMessage(decoding: datagram)
        #expect(Self.notification(message)?.requestID == Int32.min)
    }
}
