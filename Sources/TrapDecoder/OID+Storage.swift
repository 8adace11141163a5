extension OID {
    /// Where an OID's content octets live.
    ///
    /// Nearly every OID in a trap has at most 32 octets (ifIndex.2 has 10, most enterprise OIDs 8–14): those are
    /// kept inline, so making, copying and dropping one costs no allocation and no reference counting. A longer
    /// one stays a view (of the datagram when decoded): the choice depends on the length alone, so equal OIDs
    /// always have the same storage.
    enum Storage: Sendable {
        /// At most `InlineOctets.capacity` octets.
        case inline(InlineOctets)
        /// More than `InlineOctets.capacity` octets.
        case view(ArraySlice<UInt8>)
    }

    /// Up to 32 content octets in four words, with their count.
    ///
    /// Octet `i` is bits `8·(i mod 8)` up of word `i / 8` whatever the machine's byte order, so that masks and
    /// shifts mean the same everywhere; octets past `count` are zero, so equal OIDs have equal words.
    struct InlineOctets: Hashable, Sendable {
        /// The most octets kept inline: four words, the size of the `ArraySlice` the other storage holds.
        static let capacity = 32

        private(set) var w0: UInt64
        private(set) var w1: UInt64
        private(set) var w2: UInt64
        private(set) var w3: UInt64
        /// How many octets are used, 0…32.
        private(set) var count: UInt8

        /// No octets.
        init() {
            (w0, w1, w2, w3, count) = (0, 0, 0, 0, 0)
        }

        /// A copy of `count` (≤ 32) octets at `source`, of which `readable` (≥ `count`) may be read: whole words
        /// are loaded where eight octets are readable, the rest octet by octet.
        ///
        /// Straight-line code for the four words, inlined: a loop over them, out of line, cost a decode of a
        /// 47-octet trap 100 instructions of its 800.
        @inline(always)
        init(copying source: UnsafePointer<UInt8>, count: Int, readable: Int) {
            assert(count <= Self.capacity && readable >= count)
            w0 = Self.word(at: 0, of: source, count: count, readable: readable)
            w1 = Self.word(at: 8, of: source, count: count, readable: readable)
            w2 = Self.word(at: 16, of: source, count: count, readable: readable)
            w3 = Self.word(at: 24, of: source, count: count, readable: readable)
            self.count = UInt8(truncatingIfNeeded: count)
        }

        /// Octets `offset..<offset + 8` of the `count` at `source` as a word, zero past `count`.
        @inline(always)
        private static func word(at offset: Int, of source: UnsafePointer<UInt8>, count: Int, readable: Int) -> UInt64 {
            let used = count &- offset
            guard used > 0 else { return 0 }
            if readable &- offset >= 8 {
                let loaded = UInt64(littleEndian: UnsafeRawPointer(source + offset).loadUnaligned(as: UInt64.self))
                // A shift by 64 (all eight used) gives 0 with `<<`, so the mask is then all ones.
                return loaded & ((1 << UInt64(min(used, 8) &* 8)) &- 1)
            }
            var gathered: UInt64 = 0
            var index = min(count, offset &+ 8)
            while index > offset {
                index &-= 1
                gathered = gathered &<< 8 | UInt64(source[index])
            }
            return gathered
        }

        /// A copy of the octets of `buffer` (at most 32).
        init(copying buffer: UnsafeBufferPointer<UInt8>) {
            guard let base = buffer.baseAddress else {
                self.init()
                return
            }
            self.init(copying: base, count: buffer.count, readable: buffer.count)
        }

        /// Word `index` (0…3).
        func word(_ index: Int) -> UInt64 {
            switch index {
            case 0: return w0
            case 1: return w1
            case 2: return w2
            default: return w3
            }
        }

        private mutating func setWord(_ index: Int, _ value: UInt64) {
            switch index {
            case 0: w0 = value
            case 1: w1 = value
            case 2: w2 = value
            default: w3 = value
            }
        }

        /// Octet `index` (below `count`).
        func octet(at index: Int) -> UInt8 {
            UInt8(truncatingIfNeeded: word(index &>> 3) &>> UInt64((index & 7) &* 8))
        }

        /// Appends one octet; there must be room.
        mutating func append(_ octet: UInt8) {
            let index = Int(count)
            assert(index < Self.capacity)
            setWord(index &>> 3, word(index &>> 3) | UInt64(octet) &<< UInt64((index & 7) &* 8))
            count &+= 1
        }

        /// The first `length` (≤ `count`) octets.
        func prefix(_ length: Int) -> InlineOctets {
            var result = self
            result.count = UInt8(truncatingIfNeeded: length)
            for index in 0..<4 {
                let kept = length &- index &* 8
                let mask: UInt64 = kept >= 8 ? ~0 : (kept <= 0 ? 0 : (1 &<< UInt64(kept &* 8)) &- 1)
                result.setWord(index, word(index) & mask)
            }
            return result
        }

        /// Whether the first `other.count` octets equal `other`'s.
        func starts(with other: InlineOctets) -> Bool {
            guard other.count <= count else { return false }
            // Octets of `other` past its count are zero: masking ours to its length leaves equal words.
            return prefix(Int(other.count)) == other
        }

        /// Calls `body` with the octets in memory (a copy of the words on the stack, in octet order).
        func withOctets<Result, Failure: Error>(
            _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
        ) throws(Failure) -> Result {
            var words = (w0.littleEndian, w1.littleEndian, w2.littleEndian, w3.littleEndian)
            let count = Int(self.count)
            return try withUnsafeBytes(of: &words) { raw throws(Failure) in
                try raw.withMemoryRebound(to: UInt8.self) { octets throws(Failure) in
                    try body(UnsafeBufferPointer(rebasing: octets[..<count]))
                }
            }
        }
    }
}
