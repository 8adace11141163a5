import Testing
import TrapDecoder

/// The test-only BER builder must spell fixtures exactly as dissected, or every table built with it is suspect.
@Suite("BER fixture builder")
struct BERBuilderTests {
    @Test func builderDefaultsSpellTheDissectedV1LinkDown() {
        #expect(BER.v1Trap().encoded == Fixtures.v1LinkDown)
    }

    @Test func builderDefaultsSpellTheDissectedV2cLinkDown() {
        #expect(BER.v2cTrap().encoded == Fixtures.v2cLinkDown)
    }

    @Test func builderSpellsTheDissectedInform() {
        let inform = BER.v2cTrap(
            community: .octetString("private"),
            pdu: .notificationPDU(
                tag: BERTag.informRequest, requestID: .integer(Int64(Int32.max)),
                varbinds: BER.v2Varbinds(upTime: 100_000, trapOID: "1.3.6.1.6.3.1.1.5.1", [])))
        #expect(inform.encoded == Fixtures.v2cInformColdStart)
    }

    @Test(arguments: [
        // 04 81 2a: OCTET STRING, length 42 in one long-form octet
        (1, [0x04, 0x81, 0x2A] as [UInt8]),
        // 04 82 00 2a
        (2, [0x04, 0x82, 0x00, 0x2A]),
        // 04 84 00 00 00 2a
        (4, [0x04, 0x84, 0x00, 0x00, 0x00, 0x2A]),
    ])
    func longFormLengthsAreWrittenAsInTheCorpusREADME(octets: Int, header: [UInt8]) {
        let element = BER.length(.longForm(octets: octets), .octetString([UInt8](repeating: 0x61, count: 42)))
        #expect(Array(element.encoded.prefix(header.count)) == header)
        #expect(element.encoded.count == header.count + 42)
    }

    @Test func markedOffsetIsWhereTheMarkedElementStarts() throws {
        // 30 52 | 02 01 01 | 04 06 "public" | a7 …: the PDU starts at 2 + 3 + 8 = 13.
        let datagram = BER.v2cTrap(pdu: .marked(.notificationPDU()))
        #expect(datagram.markedOffset == 13)
        #expect(datagram.encoded == Fixtures.v2cLinkDown)
    }

    @Test func integersAreMinimalTwosComplement() {
        #expect(BER.integer(0).encoded == [0x02, 0x01, 0x00])
        #expect(BER.integer(127).encoded == [0x02, 0x01, 0x7F])
        #expect(BER.integer(128).encoded == [0x02, 0x02, 0x00, 0x80])
        #expect(BER.integer(-1).encoded == [0x02, 0x01, 0xFF])
        #expect(BER.integer(-129).encoded == [0x02, 0x02, 0xFF, 0x7F])
        #expect(BER.integer(1 << 31).encoded == [0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00])
        #expect(
            BER.unsigned(BERTag.counter64, .max).encoded == [0x46, 0x09, 0x00] + [UInt8](repeating: 0xFF, count: 8))
    }

    @Test func parsingAndReencodingACorpusDatagramGivesItsOctetsBack() throws {
        for datagram in Corpus.valid {
            let elements = try #require(BER.parse(datagram.bytes[...]), "\(datagram.name) parses as BER")
            #expect(BER.group(elements).encoded == datagram.bytes, "\(datagram.name)")
        }
    }
}
