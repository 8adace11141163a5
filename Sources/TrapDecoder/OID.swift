/// An SNMP OBJECT IDENTIFIER, kept in its BER content encoding and checked when created.
///
/// Keeping the encoded octets means decoding one costs a copy of a few octets and no arithmetic; arcs are produced
/// on demand. Up to 32 octets (nearly every OID) are stored inline, so an OID costs no allocation and no reference
/// counting; a longer one is a view (see `Storage`). Limits (RFC 2578 §7.1.3): at most 128 sub-identifiers, each
/// at most 2^32−1; the first octet packs the first two arcs as 40·X+Y (X.690 §8.19), and arc 2 may take Y > 39.
public struct OID: Hashable, Sendable, CustomStringConvertible {
    /// The most sub-identifiers an SNMP OID may have.
    public static let maximumArcs = 128

    /// The content octets: inline up to `InlineOctets.capacity`, else a view.
    let storage: Storage

    /// Validates BER content octets; `offset` is where the element starts in the datagram, for errors.
    public init(encoded: ArraySlice<UInt8>, offset: Int = 0) throws(TrapDecodingError) {
        guard !encoded.isEmpty else {
            throw TrapDecodingError(.badOID, at: offset, "OBJECT IDENTIFIER with no content octets")
        }
        var arcs = 1  // the first sub-identifier carries two arcs
        var value: UInt64 = 0
        var startsSubidentifier = true
        var isFirst = true
        for octet in encoded {
            if startsSubidentifier && octet == 0x80 {
                throw TrapDecodingError(.badOID, at: offset, "sub-identifier \(arcs) starts with the padding octet 0x80")
            }
            value = value << 7 | UInt64(octet & 0x7F)
            // The first sub-identifier may exceed 2^32−1 by 80 (it is 80 + arc 2's second arc).
            let limit: UInt64 = isFirst ? UInt64(UInt32.max) + 80 : UInt64(UInt32.max)
            guard value <= limit else {
                throw TrapDecodingError(.badOID, at: offset, "sub-identifier \(arcs) exceeds 2^32−1")
            }
            startsSubidentifier = octet & 0x80 == 0
            if startsSubidentifier {
                arcs += 1
                guard arcs <= Self.maximumArcs else {
                    throw TrapDecodingError(.badOID, at: offset, "more than \(Self.maximumArcs) sub-identifiers")
                }
                value = 0
                isFirst = false
            }
        }
        guard startsSubidentifier else {
            throw TrapDecodingError(.badOID, at: offset, "the last sub-identifier is unterminated")
        }
        self.init(uncheckedEncoded: encoded)
    }

    /// Encodes arcs; returns nil when they do not form a valid OID (fewer than 2 arcs is allowed only as "0.0").
    public init?<Arcs: Collection>(arcs: Arcs) where Arcs.Element == UInt32 {
        var iterator = arcs.makeIterator()
        guard let first = iterator.next(), first <= 2, arcs.count <= Self.maximumArcs else { return nil }
        let second = iterator.next() ?? 0
        guard first == 2 || second < 40 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(arcs.count + 4)
        Self.append(UInt64(first) * 40 + UInt64(second), to: &bytes)
        while let arc = iterator.next() {
            Self.append(UInt64(arc), to: &bytes)
        }
        self.init(uncheckedEncoded: bytes[...])
    }

    /// Parses dotted text such as `1.3.6.1.2.1.1.3.0` (a leading dot is allowed).
    public init?(_ dotted: some StringProtocol) {
        let text = dotted.hasPrefix(".") ? dotted.dropFirst() : dotted[...]
        var arcs: [UInt32] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let arc = UInt32(part) else { return nil }
            arcs.append(arc)
        }
        self.init(arcs: arcs)
    }

    /// Valid content octets, inline when they fit (a view longer ones keep).
    init(uncheckedEncoded encoded: ArraySlice<UInt8>) {
        if encoded.count <= InlineOctets.capacity {
            storage = .inline(encoded.withUnsafeBufferPointer { InlineOctets(copying: $0) })
        } else {
            storage = .view(encoded)
        }
    }

    /// Valid content octets, at most `InlineOctets.capacity` of them.
    init(inline octets: InlineOctets) {
        storage = .inline(octets)
    }

    /// Valid content octets, more than `InlineOctets.capacity` of them, as the view they are.
    init(longView octets: ArraySlice<UInt8>) {
        assert(octets.count > InlineOctets.capacity)
        storage = .view(octets)
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withBase128(value) { bytes.append($0) }
    }

    /// Calls `body` with each octet of `value`'s base-128 encoding, most significant first.
    private static func withBase128(_ value: UInt64, _ body: (UInt8) -> Void) {
        var groups = 1
        var rest = value >> 7
        while rest > 0 {
            groups += 1
            rest >>= 7
        }
        var shift = (groups - 1) * 7
        while shift > 0 {
            body(UInt8(truncatingIfNeeded: value >> UInt64(shift)) | 0x80)
            shift -= 7
        }
        body(UInt8(truncatingIfNeeded: value) & 0x7F)
    }

    /// Calls `body` with the BER content octets, in place for a view and from a stack copy when inline: what
    /// renderers and writers read, without an array per call.
    public func withEncoded<Result, Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        switch storage {
        case .inline(let octets): return try octets.withOctets(body)
        case .view(let slice): return try slice.withUnsafeBufferPointer(body)
        }
    }

    /// A copy of the BER content octets (without tag and length); `withEncoded` reads them without the array.
    public var encoded: [UInt8] {
        withEncoded { Array($0) }
    }

    /// The number of BER content octets.
    public var encodedCount: Int {
        switch storage {
        case .inline(let octets): return Int(octets.count)
        case .view(let slice): return slice.count
        }
    }

    /// Content octet `index` (below `encodedCount`).
    func octet(at index: Int) -> UInt8 {
        switch storage {
        case .inline(let octets): return octets.octet(at: index)
        case .view(let slice): return slice[slice.startIndex + index]
        }
    }

    /// The arcs, decoded on demand.
    public var arcs: Arcs { Arcs(oid: self) }

    /// Number of arcs.
    public var count: Int {
        switch storage {
        case .inline(let octets):
            // One arc per octet below 0x80 (each ends a sub-identifier), plus one for the first sub-identifier's
            // two; the zero octets past the count are below 0x80 too, so they are taken off again.
            var ends = 0
            for index in 0..<4 {
                ends &+= (~octets.word(index) & 0x8080_8080_8080_8080).nonzeroBitCount
            }
            return 1 &+ ends &- (InlineOctets.capacity &- Int(octets.count))
        case .view(let slice):
            var n = 1
            for octet in slice where octet & 0x80 == 0 {
                n += 1
            }
            return n
        }
    }

    /// Dotted decimal text, e.g. `1.3.6.1.6.3.1.1.5.3`.
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(encodedCount * 4)
        for (index, arc) in arcs.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ".")) }
            text.append(contentsOf: String(arc).utf8)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A copy that owns just its own octets: a long decoded OID is a view that keeps its whole datagram alive,
    /// which a long-lived cache key must not do. (An inline OID owns its octets already.)
    public var compacted: OID {
        switch storage {
        case .inline: return self
        case .view(let slice): return OID(uncheckedEncoded: ArraySlice(Array(slice)))
        }
    }

    /// Equal OIDs have equal encodings (the encoding is canonical: no padding octets), and equal storage.
    public static func == (lhs: OID, rhs: OID) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.inline(let l), .inline(let r)):
            return l == r
        case (.view(let l), .view(let r)):
            guard l.count == r.count else { return false }
            return l.withUnsafeBufferPointer { l in
                r.withUnsafeBufferPointer { r in
                    for index in 0..<l.count where l[index] != r[index] {
                        return false
                    }
                    return true
                }
            }
        default:
            return false
        }
    }

    /// Hashes the words of an inline OID, the encoding of a longer one in one call: MIB name caches hash an OID
    /// per lookup, and hashing octet by octet was a visible share of each event's cost. (The storage depends on
    /// the length alone, so equal OIDs hash alike.)
    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .inline(let octets): hasher.combine(octets)
        case .view(let slice): slice.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// Whether `self` equals `prefix` or lies under it (`1.3.6.1.4.1.9.1` is under `1.3.6.1.4.1`).
    public func hasPrefix(_ prefix: OID) -> Bool {
        // Encoded sub-identifiers end with an octet below 0x80, so a byte prefix ends on an arc boundary;
        // the first octet holds two arcs, which compare equal exactly when the octets do.
        if case .inline(let octets) = storage, case .inline(let prefixOctets) = prefix.storage {
            return octets.starts(with: prefixOctets)
        }
        guard prefix.encodedCount <= encodedCount else { return false }
        return withEncoded { octets in
            prefix.withEncoded { prefixOctets in
                for index in 0..<prefixOctets.count where octets[index] != prefixOctets[index] {
                    return false
                }
                return true
            }
        }
    }

    /// This OID with `arc` appended.
    public func appending(_ arc: UInt32) -> OID {
        if case .inline(var octets) = storage, Int(octets.count) + 5 <= InlineOctets.capacity {
            Self.withBase128(UInt64(arc)) { octets.append($0) }
            return OID(inline: octets)
        }
        var bytes = encoded
        Self.append(UInt64(arc), to: &bytes)
        return OID(uncheckedEncoded: bytes[...])
    }

    /// This OID without its last `k` arcs; nil if that would leave fewer than two arcs.
    public func droppingLast(_ k: Int = 1) -> OID? {
        let cut: Int? = withEncoded { encoded in
            var ends = 0
            var index = encoded.count
            while index > 0 && ends <= k {
                index -= 1
                if encoded[index] & 0x80 == 0 {
                    ends += 1
                    if ends == k + 1 { return index + 1 }
                }
            }
            return nil
        }
        guard let cut else { return nil }
        switch storage {
        case .inline(let octets): return OID(inline: octets.prefix(cut))
        case .view(let slice): return OID(uncheckedEncoded: slice.prefix(cut))
        }
    }

    /// The last arc.
    public var lastArc: UInt32 {
        withEncoded { encoded in
            guard !encoded.isEmpty else { return 0 }
            // The last sub-identifier starts after the last octet below 0x80 before the final one.
            var start = encoded.count - 1
            while start > 0 && encoded[start - 1] & 0x80 != 0 {
                start -= 1
            }
            var value: UInt64 = 0
            for index in start..<encoded.count {
                value = value << 7 | UInt64(encoded[index] & 0x7F)
            }
            guard start == 0 else { return UInt32(truncatingIfNeeded: value) }
            // The only sub-identifier is the first, which holds the last arc as 40·X + Y.
            switch value {
            case ..<40: return UInt32(value)
            case ..<80: return UInt32(value - 40)
            default: return UInt32(truncatingIfNeeded: value - 80)
            }
        }
    }

    /// Arcs of an OID, decoded from its BER octets as they are iterated.
    public struct Arcs: Sequence, Sendable {
        let oid: OID

        /// An iterator from the first arc.
        public func makeIterator() -> Iterator { Iterator(oid: oid) }

        /// Yields one arc at a time.
        public struct Iterator: IteratorProtocol, Sendable {
            let oid: OID
            var index = 0
            var pendingSecond: UInt32?
            private var started = false

            init(oid: OID) {
                self.oid = oid
            }

            /// The next arc, or nil after the last.
            public mutating func next() -> UInt32? {
                if let second = pendingSecond {
                    pendingSecond = nil
                    return second
                }
                var value: UInt64 = 0
                let end = oid.encodedCount
                while index < end {
                    let octet = oid.octet(at: index)
                    index += 1
                    value = value << 7 | UInt64(octet & 0x7F)
                    if octet & 0x80 == 0 { return finish(value) }
                }
                return nil
            }

            private mutating func finish(_ value: UInt64) -> UInt32 {
                guard !started else { return UInt32(truncatingIfNeeded: value) }
                started = true
                switch value {
                case ..<40:
                    pendingSecond = UInt32(value)
                    return 0
                case ..<80:
                    pendingSecond = UInt32(value - 40)
                    return 1
                default:
                    pendingSecond = UInt32(truncatingIfNeeded: value - 80)
                    return 2
                }
            }
        }
    }
}
