/// Reads BER elements in order from a view of a datagram, enforcing the SNMP subset of BER.
///
/// The rules (RFC 3417 §8 and `corpus/public/README.md`): definite lengths only, in short form or long form
/// with 1–4 length octets (non-minimal length encodings are accepted, as net-snmp does); low-tag-number
/// identifiers only; an element never extends past its container. Each reader is a view of one container,
/// so "content must exactly fill its container" is `finish()`.
public struct BERReader: Sendable {
    /// The most deeply nested constructed element accepted; no real trap comes close.
    public static let maximumDepth = 64

    /// What remains unread in this container.
    public private(set) var remaining: ArraySlice<UInt8>
    /// The datagram's first index, so errors report offsets from the start of the datagram.
    let origin: Int
    /// How many containers enclose this one.
    let depth: Int

    /// Starts reading a whole datagram.
    public init(_ datagram: ArraySlice<UInt8>) {
        self.remaining = datagram
        self.origin = datagram.startIndex
        self.depth = 0
    }

    private init(content: ArraySlice<UInt8>, origin: Int, depth: Int) {
        self.remaining = content
        self.origin = origin
        self.depth = depth
    }

    /// Whether everything in this container has been read.
    public var isAtEnd: Bool { remaining.isEmpty }

    /// Offset of the next unread octet, from the start of the datagram.
    public var offset: Int { remaining.startIndex - origin }

    /// The offset, from the start of the datagram, of an index into it.
    func offset(of index: Int) -> Int { index - origin }

    /// Reads the next element, whatever its tag.
    public mutating func readElement() throws(TrapDecodingError) -> BERElement {
        let tagOffset = offset
        guard let tag = remaining.popFirst() else {
            throw TrapDecodingError(.truncated, at: tagOffset, "expected an element, found the end of its container")
        }
        guard tag & BERTag.highTagNumberMarker != BERTag.highTagNumberMarker else {
            throw TrapDecodingError(
                .unexpectedTag, at: tagOffset,
                "identifier 0x\(String(tag, radix: 16)) uses the high-tag-number form, which SNMP never uses")
        }
        let length = try readLength()
        guard remaining.count >= length else {
            throw TrapDecodingError(
                .truncated, at: tagOffset,
                "\(BERTag.describe(tag)) announces \(length) content octets but only \(remaining.count) remain")
        }
        let content = remaining.prefix(length)
        remaining = remaining.dropFirst(length)
        return BERElement(tag: tag, content: content, offset: tagOffset)
    }

    /// Reads the next element and requires its identifier to be `tag`.
    public mutating func readElement(_ tag: UInt8) throws(TrapDecodingError) -> BERElement {
        let element = try readElement()
        guard element.tag == tag else {
            throw Self.unexpected(element, expected: tag)
        }
        return element
    }

    /// Reads the next element, requires a constructed `tag`, and returns a reader over its contents.
    public mutating func readConstructed(_ tag: UInt8) throws(TrapDecodingError) -> BERReader {
        let element = try readElement(tag)
        return try nested(in: element)
    }

    /// A reader over a constructed element's contents, one level deeper.
    public func nested(in element: BERElement) throws(TrapDecodingError) -> BERReader {
        guard depth < Self.maximumDepth else {
            throw TrapDecodingError(
                .nestingTooDeep, at: element.offset, "constructed elements nested deeper than \(Self.maximumDepth)")
        }
        return BERReader(content: element.content, origin: origin, depth: depth + 1)
    }

    /// Requires that the container has been read completely.
    public func finish(_ container: @autoclosure () -> String) throws(TrapDecodingError) {
        guard remaining.isEmpty else {
            throw TrapDecodingError(
                .trailingBytes, at: offset, "\(remaining.count) unexpected octets after the end of \(container())")
        }
    }

    /// The error for an element whose identifier is not the one required.
    static func unexpected(_ element: BERElement, expected: UInt8) -> TrapDecodingError {
        if element.tag ^ BERTag.constructedBit == expected {
            return TrapDecodingError(
                .unexpectedTag, at: element.offset,
                "\(BERTag.describe(expected)) must use the primitive encoding, found the constructed form")
        }
        return TrapDecodingError(
            .unexpectedTag, at: element.offset,
            "expected \(BERTag.describe(expected)), found \(BERTag.describe(element.tag))")
    }

    private mutating func readLength() throws(TrapDecodingError) -> Int {
        let lengthOffset = offset
        guard let first = remaining.popFirst() else {
            throw TrapDecodingError(.truncated, at: lengthOffset, "the datagram ends before a length")
        }
        if first < 0x80 {
            return Int(first)
        }
        if first == 0x80 {
            throw TrapDecodingError(
                .indefiniteLength, at: lengthOffset, "indefinite length (0x80); SNMP allows definite lengths only")
        }
        if first == 0xFF {
            throw TrapDecodingError(.badLength, at: lengthOffset, "reserved length octet 0xFF")
        }
        let octetCount = Int(first & 0x7F)
        guard octetCount <= 4 else {
            throw TrapDecodingError(
                .badLength, at: lengthOffset, "length in \(octetCount) octets; at most 4 are accepted")
        }
        guard remaining.count >= octetCount else {
            throw TrapDecodingError(.truncated, at: lengthOffset, "the datagram ends inside a length")
        }
        var length = 0
        for octet in remaining.prefix(octetCount) {
            length = length << 8 | Int(octet)
        }
        remaining = remaining.dropFirst(octetCount)
        return length
    }
}
