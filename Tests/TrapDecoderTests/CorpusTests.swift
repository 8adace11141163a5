import Testing
import TrapDecoder
import TrapEvents

/// The shared corpora (`../shared/corpus/public`, `../shared/bench/packets`) decoded in process: what must
/// decode does, what must fail does, and no cut or re-encoding of a valid datagram slips through.
@Suite("Shared corpus")
struct CorpusTests {
    @Test func corporaAreFoundBesideThePackage() throws {
        // README: 32 files, 8 of them errors; bench: 6 packets. More may come, never fewer.
        #expect(Corpus.publicDatagrams.count >= 32, "looked in \(Corpus.sharedDirectory.path)")
        #expect(Corpus.publicDatagrams.filter(\.mustBeRejected).count >= 8)
        #expect(Corpus.benchDatagrams.count >= 6)
    }

    @Test(arguments: Corpus.valid)
    func validDatagramDecodes(_ datagram: Corpus.Datagram) {
        #expect(
            decodingError(datagram.bytes) == nil, "\(decodingError(datagram.bytes).map(String.init(describing:)) ?? "")"
        )
    }

    @Test(arguments: Corpus.publicDatagrams.filter(\.mustBeRejected))
    func datagramExpectedToFailIsRejected(_ datagram: Corpus.Datagram) {
        #expect(decodingError(datagram.bytes) != nil)
    }

    /// As swift-asn1's `testRejectDripFedASN1SPKIP256`: a datagram that arrives cut at any point is refused,
    /// and since the message SEQUENCE announces its whole length, it is refused as `truncated` at its header.
    @Test(arguments: Corpus.valid)
    func everyProperPrefixOfAValidDatagramIsRejected(_ datagram: Corpus.Datagram) {
        for length in 0..<datagram.bytes.count {
            let error = decodingError(Array(datagram.bytes.prefix(length)))
            #expect(error?.kind == .truncated, "prefix of \(length) octets: \(String(describing: error))")
            #expect((0...1).contains(error?.offset ?? -1), "prefix of \(length) octets: \(String(describing: error))")
        }
    }

    /// A harder cut: the prefix's message length is rewritten to claim just the octets present (same number of
    /// length octets), so the decoder has to find the missing element inside the message.
    @Test(arguments: Corpus.valid)
    func everyProperPrefixWithAMatchingMessageLengthIsRejected(_ datagram: Corpus.Datagram) throws {
        let bytes = datagram.bytes
        let lengthOctets = bytes[1] < 0x80 ? 0 : Int(bytes[1] & 0x7F)
        let contentStart = 2 + lengthOctets
        for length in contentStart..<bytes.count {
            var cut = Array(bytes.prefix(length))
            let contentLength = UInt64(length - contentStart)
            if lengthOctets == 0 {
                cut[1] = UInt8(contentLength)
            } else {
                cut.replaceSubrange(2..<contentStart, with: BER.bigEndian(contentLength, octets: lengthOctets))
            }
            let error = decodingError(cut)
            #expect(error != nil, "cut at \(length) octets was accepted")
            #expect((error?.offset ?? -1) <= length, "cut at \(length) octets: \(String(describing: error))")
        }
    }

    /// X.690 §8.1.3: any element's length may be written in the long form with more octets than needed; the
    /// decode must not change. Every element of every valid datagram, in turn, with 2 and 4 length octets.
    @Test(arguments: Corpus.valid)
    func nonMinimalLengthOnAnyElementDecodesToTheSameMessage(_ datagram: Corpus.Datagram) throws {
        let reference = try TrapMessage(decoding: datagram.bytes)
        let tree = BER.group(try #require(BER.parse(datagram.bytes[...])))
        for index in 0..<tree.elementCount {
            for octets in [2, 4] {
                let variant = tree.wrappingElement(at: index) { .length(.longForm(octets: octets), $0) }.encoded
                #expect(throws: Never.self, "element \(index) with \(octets) length octets") {
                    let decoded = try TrapMessage(decoding: variant)
                    #expect(decoded == reference, "element \(index) with \(octets) length octets")
                }
            }
        }
    }

    @Test(arguments: Corpus.valid)
    func validDatagramClassifiesAndHasOperatorText(_ datagram: Corpus.Datagram) throws {
        let message = try TrapMessage(decoding: datagram.bytes)
        guard case .encrypted = message.pdu else {
            let classification = try #require(message.classify(source: "192.0.2.1"))
            let text = message.operatorText(processName: "trapmux", classification: classification)
            #expect(text.hasPrefix(classification.generic.title + " SNMP-Trap-Multiplexer trapmux, Version: "))
            #expect(!text.contains("\n"))
            return
        }
        #expect(message.classify(source: "192.0.2.1") == nil)
    }
}
