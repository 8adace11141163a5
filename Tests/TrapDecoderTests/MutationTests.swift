import Testing
import TrapDecoder
import TrapEvents

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Randomized robustness: mutants of every corpus datagram must each be decoded or rejected, promptly, and
/// whatever decodes must classify and render. The seed is fixed, so a failure replays exactly; the libFuzzer
/// target (`Tests/Fuzz/TrapDecoderFuzzer`, `scripts/fuzz`) explores further.
@Suite("Mutated datagrams")
struct MutationTests {
    static let seed: UInt64 = 0x7472_6170_6D75_7831  // "trapmux1"
    static let mutantCount = 100_000

    /// Octets that matter to a BER reader: length forms, common tags, sign bits, the high-tag marker.
    static let interestingOctets: [UInt8] = [
        0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x1F, 0x30, 0x3F, 0x40, 0x41, 0x43, 0x46, 0x7F, 0x80, 0x81, 0x82, 0x84,
        0x85, 0x88, 0xA4, 0xA6, 0xA7, 0xBF, 0xFE, 0xFF,
    ]

    enum Mutation: CaseIterable {
        case flipBit, replaceByte, insertBytes, deleteBytes, truncate, tweakLength, duplicateSlice, expandLength
    }

    /// Applies one random mutation; `lengthOffsets` are the seed's length octets (they drift after edits,
    /// which is fine: then they are simply other octets).
    static func mutate(_ bytes: inout [UInt8], lengthOffsets: [Int], using rng: inout SplitMix64) {
        let mutation = Mutation.allCases.randomElement(using: &rng)!
        if bytes.isEmpty {
            bytes = [interestingOctets.randomElement(using: &rng)!]
            return
        }
        let position = Int.random(in: 0..<bytes.count, using: &rng)
        switch mutation {
        case .flipBit:
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case .replaceByte:
            bytes[position] =
                Bool.random(using: &rng)
                ? interestingOctets.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
        case .insertBytes:
            let inserted = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                interestingOctets.randomElement(using: &rng)!
            }
            bytes.insert(contentsOf: inserted, at: Int.random(in: 0...bytes.count, using: &rng))
        case .deleteBytes:
            bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...4, using: &rng)))
        case .truncate:
            bytes.removeSubrange(position...)
        case .tweakLength, .expandLength:
            guard let offset = lengthOffsets.filter({ $0 < bytes.count }).randomElement(using: &rng) else { return }
            let old = bytes[offset]
            if mutation == .expandLength, old < 0x80 {
                // a short length rewritten in the long form: BER-legal, must decode when the rest is intact
                let octets = [1, 2, 4, 5].randomElement(using: &rng)!
                bytes.replaceSubrange(
                    offset...offset, with: [0x80 | UInt8(octets)] + BER.bigEndian(UInt64(old), octets: octets))
            } else {
                let choices: [UInt8] = [
                    old &+ 1, old &- 1, old &+ 0x10, 0x00, 0x7F, 0x80, 0x81, 0x82, 0x84, 0x85, 0xFF,
                ]
                bytes[offset] = choices.randomElement(using: &rng)!
            }
        case .duplicateSlice:
            let end = min(bytes.count, position + Int.random(in: 1...32, using: &rng))
            bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &rng))
        }
    }

    // MARK: Structural mutations

    /// Contents that sit at the edges of what the decoder accepts: empty, sign bits, 2^31, 2^32, 2^64.
    static let edgeContents: [[UInt8]] = [
        [], [0x00], [0x01], [0x06], [0x7F], [0x80], [0xFF], [0x00, 0x80], [0x7F, 0xFF, 0xFF, 0xFF],
        [0x80, 0x00, 0x00, 0x00],
        [0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x80, 0x00, 0x00, 0x00], [0x00, 0xFF, 0xFF, 0xFF, 0xFF],
        [0x01, 0x00, 0x00, 0x00, 0x00],
        [0x00] + [UInt8](repeating: 0xFF, count: 8), [0x01] + [UInt8](repeating: 0x00, count: 8),
        [0xC0, 0x00, 0x02, 0x07],
    ]

    /// OIDs the classifier looks for, and arcs at the edges of Int32 and UInt32.
    static let edgeArcs: [UInt64] = [0, 1, 5, 6, 7, 39, 40, 127, 128, (1 << 31) - 1, 1 << 31, (1 << 32) - 1, 1 << 32]
    static let specialOIDs: [[UInt64]] = [
        [1, 3, 6, 1, 2, 1, 1, 3, 0], [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0], [1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0],
        [1, 3, 6, 1, 6, 3, 18, 1, 3, 0], [1, 3, 6, 1, 6, 3, 1, 1, 5], [1, 3, 6, 1, 4, 1, 8072, 0], [0, 0], [2, 999],
    ]

    /// Tags that the SNMP grammar gives a meaning, so a retagged element often still parses.
    static let snmpTags: [UInt8] = [
        0x02, 0x04, 0x05, 0x06, 0x30, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x80, 0x81, 0x82, 0xA0, 0xA2, 0xA4, 0xA6,
        0xA7, 0xA8,
    ]

    /// Rewrites one element of a parsed datagram and re-encodes it with consistent lengths, so the mutant gets
    /// past the framing and exercises value checks, the PDU grammar and classification.
    static func mutateStructure(_ tree: BER, using rng: inout SplitMix64) -> BER {
        let count = tree.elementCount
        guard count > 0 else { return tree }
        return tree.wrappingElement(at: Int.random(in: 0..<count, using: &rng)) { element in
            switch element {
            case .primitive(let tag, let content):
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: return .primitive(tag, edgeContents.randomElement(using: &rng)!)
                case 1: return .primitive(snmpTags.randomElement(using: &rng)!, content)
                case 2:
                    var arcs = specialOIDs.randomElement(using: &rng)!
                    if Bool.random(using: &rng) { arcs.append(edgeArcs.randomElement(using: &rng)!) }
                    return .primitive(tag, BER.oidContent(arcs))
                case 3:
                    let random = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    }
                    return .primitive(tag, random)
                case 4: return .length(.longForm(octets: Int.random(in: 1...4, using: &rng)), element)
                default: return .primitive(tag, content + content)
                }
            case .constructed(let tag, var children):
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: return .constructed(snmpTags.randomElement(using: &rng)!, children)
                case 1:
                    if !children.isEmpty { children.remove(at: Int.random(in: 0..<children.count, using: &rng)) }
                    return .constructed(tag, children)
                case 2:
                    if let child = children.randomElement(using: &rng) {
                        children.insert(child, at: Int.random(in: 0...children.count, using: &rng))
                    }
                    return .constructed(tag, children)
                default:
                    return .constructed(tag, children.shuffled(using: &rng))
                }
            default:
                return element
            }
        }
    }

    // MARK: The run

    @Test(.timeLimit(.minutes(3)))
    func everyMutantIsDecodedOrRejectedPromptly() throws {
        let seeds = Corpus.all.map(\.bytes) + [Fixtures.v1LinkDown, Fixtures.v2cLinkDown, Fixtures.v2cInformColdStart]
        try #require(seeds.count >= 40, "the corpus is found")
        let lengthOffsets = seeds.map { BER.lengthOffsets(in: $0) }
        let trees = seeds.map { BER.parse($0[...]).map(BER.group) }
        var rng = SplitMix64(seed: Self.seed)
        var slowest: (duration: Duration, mutant: [UInt8]) = (.zero, [])
        var accepted = 0
        var rejectedByKind: [TrapDecodingError.Kind: Int] = [:]
        var finished = 0

        let cpuAtStart = Self.threadCPUTime()
        let wall = ContinuousClock().measure {
            for _ in 0..<Self.mutantCount {
                let index = Int.random(in: 0..<seeds.count, using: &rng)
                var mutant = seeds[index]
                if Bool.random(using: &rng), var tree = trees[index] {
                    // half of the mutants: one or two structural edits, sometimes a byte edit on top
                    for _ in 0..<Int.random(in: 1...2, using: &rng) { tree = Self.mutateStructure(tree, using: &rng) }
                    mutant = tree.encoded
                    if Int.random(in: 0..<4, using: &rng) == 0 {
                        Self.mutate(&mutant, lengthOffsets: lengthOffsets[index], using: &rng)
                    }
                } else {
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        Self.mutate(&mutant, lengthOffsets: lengthOffsets[index], using: &rng)
                    }
                }
                if !TrapMessage.fastPathAgrees(on: mutant[...]) {
                    Issue.record("the fast path and the reference decoder disagree on \(hex(mutant))")
                }
                let start = Self.threadCPUTime()
                do throws(TrapDecodingError) {
                    let message = try TrapMessage(decoding: mutant)
                    accepted += 1
                    for source in ["192.0.2.1", "2001:db8::1", nil] as [String?] {
                        guard let classification = message.classify(source: source) else {
                            if case .encrypted = message.pdu { continue }
                            Issue.record("a readable notification did not classify: \(hex(mutant))")
                            continue
                        }
                        let text = message.operatorText(processName: "trapmux", classification: classification)
                        if !text.hasPrefix(classification.generic.title) {
                            Issue.record("operator text of \(hex(mutant)) starts wrongly: \(text.prefix(80))")
                        }
                    }
                } catch {
                    rejectedByKind[error.kind, default: 0] += 1
                    if error.offset < 0 || error.offset > mutant.count {
                        Issue.record(
                            "error offset \(error.offset) outside the \(mutant.count)-octet datagram: \(error)")
                    }
                }
                let elapsed = Self.threadCPUTime() - start
                if elapsed > slowest.duration { slowest = (elapsed, mutant) }
                finished += 1
            }
        }

        let cpu = Self.threadCPUTime() - cpuAtStart

        // Bounds on CPU time, not wall time: other tests and builds share the machine's two cores.
        #expect(finished == Self.mutantCount, "every decode returned")
        #expect(cpu < .seconds(60), "\(Self.mutantCount) mutants took \(cpu) of CPU (\(wall) wall)")
        #expect(
            slowest.duration < .milliseconds(250), "slowest mutant took \(slowest.duration): \(hex(slowest.mutant))")
        // Sanity of the mutator itself: it must reach both outcomes and nearly every kind of fault.
        #expect(accepted > 10_000, "accepted \(accepted)")
        #expect(rejectedByKind.keys.count >= 9, "rejections by kind: \(rejectedByKind)")
    }

    /// CPU time used by the calling thread. The mutation loop never suspends, so it stays on one thread.
    static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }

    @Test func mutationIsReproducibleFromTheSeed() {
        var first = SplitMix64(seed: Self.seed)
        var second = SplitMix64(seed: Self.seed)
        var a = Fixtures.v2cLinkDown
        var b = Fixtures.v2cLinkDown
        let offsets = BER.lengthOffsets(in: Fixtures.v2cLinkDown)
        for _ in 0..<100 {
            Self.mutate(&a, lengthOffsets: offsets, using: &first)
            Self.mutate(&b, lengthOffsets: offsets, using: &second)
        }
        #expect(a == b)
    }

    @Test func lengthOffsetsFindEveryLengthOctetOfTheFixture() {
        // 30 52 | 02 01 01 | 04 06 (70 75 …) | a7 45 | 02 01 01 | 02 01 00 | 02 01 00 | 30 3a | 30 0e | 06 08 …
        // | 43 02 … | 30 17 | 06 0a … | 06 09 … | 30 0f | 06 0a … | 02 01 02
        // OCTET STRINGs are walked into (v3 security parameters are BER): "public" reads as tag 70, length 75.
        let offsets = BER.lengthOffsets(in: Fixtures.v2cLinkDown)
        #expect(offsets == [1, 3, 6, 8, 14, 16, 19, 22, 25, 27, 29, 39, 43, 45, 57, 68, 70, 82])
    }
}
