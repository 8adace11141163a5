/// An SNMP OBJECT IDENTIFIER, kept in its BER content encoding and checked when created.
///
/// Keeping the encoded octets (a view into the datagram when decoded) means decoding a varbind allocates
/// nothing; arcs are produced on demand. Limits (RFC 2578 §7.1.3): at most 128 sub-identifiers, each at
/// most 2^32−1; the first octet packs the first two arcs as 40·X+Y (X.690 §8.19), and arc 2 may take Y > 39.
public struct OID: Hashable, Sendable, CustomStringConvertible {
    /// The most sub-identifiers an SNMP OID may have.
    public static let maximumArcs = 128

    /// The BER content octets (without tag and length).
    public let encoded: ArraySlice<UInt8>

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
        self.encoded = encoded
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
        self.encoded = bytes[...]
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

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var groups = 1
        var rest = value >> 7
        while rest > 0 {
            groups += 1
            rest >>= 7
        }
        var shift = (groups - 1) * 7
        while shift > 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)) | 0x80)
            shift -= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value) & 0x7F)
    }

    /// The arcs, decoded on demand.
    public var arcs: Arcs { Arcs(encoded: encoded) }

    /// Number of arcs.
    public var count: Int {
        var n = 1
        for octet in encoded where octet & 0x80 == 0 {
            n += 1
        }
        return n
    }

    /// Dotted decimal text, e.g. `1.3.6.1.6.3.1.1.5.3`.
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(encoded.count * 4)
        for (index, arc) in arcs.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ".")) }
            text.append(contentsOf: String(arc).utf8)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A copy that owns just its own octets: a decoded OID is a view that keeps its whole datagram alive,
    /// which a long-lived cache key must not do.
    public var compacted: OID {
        OID(uncheckedEncoded: ArraySlice(Array(encoded)))
    }

    /// Equal OIDs have equal encodings (the encoding is canonical: no padding octets).
    public static func == (lhs: OID, rhs: OID) -> Bool {
        guard lhs.encoded.count == rhs.encoded.count else { return false }
        return lhs.encoded.withUnsafeBufferPointer { l in
            rhs.encoded.withUnsafeBufferPointer { r in
                for index in 0..<l.count where l[index] != r[index] {
                    return false
                }
                return true
            }
        }
    }

    /// Hashes the encoding in one call: MIB name caches hash an OID per lookup, and hashing a slice
    /// octet by octet was a visible share of each event's cost.
    public func hash(into hasher: inout Hasher) {
        encoded.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Whether `self` equals `prefix` or lies under it (`1.3.6.1.4.1.9.1` is under `1.3.6.1.4.1`).
    public func hasPrefix(_ prefix: OID) -> Bool {
        // Encoded sub-identifiers end with an octet below 0x80, so a byte prefix ends on an arc boundary;
        // the first octet holds two arcs, which compare equal exactly when the octets do.
        encoded.starts(with: prefix.encoded)
    }

    /// This OID with `arc` appended.
    public func appending(_ arc: UInt32) -> OID {
        var bytes = Array(encoded)
        Self.append(UInt64(arc), to: &bytes)
        return OID(uncheckedEncoded: bytes[...])
    }

    /// This OID without its last `k` arcs; nil if that would leave fewer than two arcs.
    public func droppingLast(_ k: Int = 1) -> OID? {
        var ends = 0
        var cut = encoded.endIndex
        var index = encoded.endIndex
        while index > encoded.startIndex && ends <= k {
            index -= 1
            if encoded[index] & 0x80 == 0 {
                ends += 1
                if ends == k + 1 { cut = index + 1 }
            }
        }
        guard ends == k + 1 else { return nil }
        return OID(uncheckedEncoded: encoded[..<cut])
    }

    /// The last arc.
    public var lastArc: UInt32 {
        var last: UInt32 = 0
        for arc in arcs { last = arc }
        return last
    }

    init(uncheckedEncoded: ArraySlice<UInt8>) {
        self.encoded = uncheckedEncoded
    }

    /// Arcs of an OID, decoded from its BER octets as they are iterated.
    public struct Arcs: Sequence, Sendable {
        let encoded: ArraySlice<UInt8>

        public func makeIterator() -> Iterator { Iterator(rest: encoded) }

        /// Yields one arc at a time.
        public struct Iterator: IteratorProtocol, Sendable {
            var rest: ArraySlice<UInt8>
            var pendingSecond: UInt32?
            private var started = false

            init(rest: ArraySlice<UInt8>) {
                self.rest = rest
            }

            public mutating func next() -> UInt32? {
                if let second = pendingSecond {
                    pendingSecond = nil
                    return second
                }
                var value: UInt64 = 0
                while let octet = rest.popFirst() {
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
