import Testing

@testable import TrapDecoder

/// The fast path (`SinglePassDecoder`) promises to decline or to return exactly what the reference decoder
/// returns. These tests hold it to that on every corpus datagram, every fuzz-grown input, every proper prefix and
/// every single-octet change of the valid ones; `MutationTests` adds 100,000 random mutants, and the fuzz target
/// (`scripts/fuzz TrapDecoderFuzzer`) asserts the same on everything it generates.
@Suite("Fast path agrees with the reference decoder")
struct DecoderAgreementTests {
    static var seeds: [[UInt8]] {
        Corpus.all.map(\.bytes) + [Fixtures.v1LinkDown, Fixtures.v2cLinkDown, Fixtures.v2cInformColdStart]
    }

    @Test func onEveryCorpusDatagramAndFuzzInput() throws {
        let fuzzInputs = FuzzCorpus.inputs.compactMap(Self.bytes(hex:))
        let inputs = Self.seeds + fuzzInputs
        try #require(inputs.count >= 80, "the corpora are found")
        for input in inputs {
            #expect(TrapMessage.fastPathAgrees(on: input[...]), "\(input)")
        }
    }

    @Test func theFastPathTakesEveryBenchPacket() throws {
        // Agreement that held only because the fast path declined everything would prove nothing: real traffic
        // (the net-snmp captures of bench/packets) must take it.
        let packets = Corpus.benchDatagrams
        try #require(!packets.isEmpty)
        for packet in packets {
            #expect((try? SinglePassDecoder.decode(packet.bytes[...])) != nil, "\(packet.name)")
        }
    }

    @Test func onEveryProperPrefixAndEverySingleOctetChange() {
        var checked = 0
        for seed in Self.seeds where seed.count <= 1_500 {
            for end in 0..<seed.count {
                #expect(TrapMessage.fastPathAgrees(on: seed[..<end]))
            }
            for index in seed.indices {
                for replacement in [seed[index] ^ 0x01, seed[index] ^ 0x80, 0x00, 0xFF, 0x81, 0x30] {
                    var changed = seed
                    changed[index] = replacement
                    if !TrapMessage.fastPathAgrees(on: changed[...]) {
                        Issue.record("disagreement at octet \(index) = \(replacement) of \(seed)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 10_000)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8).filter { $0 != 0x20 && $0 != 0x0A }
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}
