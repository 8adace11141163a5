/// Reads BER elements in order from a view of a datagram, enforcing the SNMP subset of BER.
///
/// The rules (RFC 3417 §8 and `corpus/public/README.md`): definite lengths only, in short form or long form
/// with 1–4 length octets (non-minimal length encodings are accepted, as net-snmp does); low-tag-number
/// identifiers only; an element never extends past its container. Each reader is a view of one container,
/// so "content must exactly fill its container" is `finish()`.
public struct BERReader: Sendable {
    /// The most deeply nested constructed element accepted; no real trap comes close.
    public static let maximumDepth = 64

    /// The container being read; it never changes while `position` moves through it. Reading an element
    /// therefore only moves an index: no slice of the datagram is made except the contents handed out.
    private let container: ArraySlice<UInt8>
    /// Index in `container` of the next unread octet.
    private var position: Int
    /// The datagram's first index, so errors report offsets from the start of the datagram.
    let origin: Int
    /// How many containers enclose this one.
    let depth: Int

    /// Starts reading a whole datagram.
    public init(_ datagram: ArraySlice<UInt8>) {
        self.container = datagram
        self.position = datagram.startIndex
        self.origin = datagram.startIndex
        self.depth = 0
    }

    private init(content: ArraySlice<UInt8>, origin: Int, depth: Int) {
        self.container = content
        self.position = content.startIndex
        self.origin = origin
        self.depth = depth
    }

    /// What remains unread in this container.
    public var remaining: ArraySlice<UInt8> { container[position...] }

    /// Whether everything in this container has been read.
    public var isAtEnd: Bool { position == container.endIndex }

    /// Offset of the next unread octet, from the start of the datagram.
    public var offset: Int { position - origin }

    /// The offset, from the start of the datagram, of an index into it.
    func offset(of index: Int) -> Int { index - origin }

    /// Reads the next element, whatever its tag.
    public mutating func readElement() throws(TrapDecodingError) -> BERElement {
        let header = try readHeader()
        return BERElement(tag: header.tag, content: container[header.content], offset: header.offset)
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
    ///
    /// The same checks in the same order as `readElement(tag)` then `nested(in:)`, without making the element.
    public mutating func readConstructed(_ tag: UInt8) throws(TrapDecodingError) -> BERReader {
        let header = try readHeader()
        guard header.tag == tag else {
            throw Self.unexpected(
                BERElement(tag: header.tag, content: container[header.content], offset: header.offset), expected: tag)
        }
        guard depth < Self.maximumDepth else {
            throw Self.tooDeep(at: header.offset)
        }
        return BERReader(content: container[header.content], origin: origin, depth: depth + 1)
    }

    /// A reader over a constructed element's contents, one level deeper.
    public func nested(in element: BERElement) throws(TrapDecodingError) -> BERReader {
        guard depth < Self.maximumDepth else {
            throw Self.tooDeep(at: element.offset)
        }
        return BERReader(content: element.content, origin: origin, depth: depth + 1)
    }

    /// How many elements follow in this container, counted from their identifier and length octets alone; the
    /// count stops at the first malformed one, which reading then reports. For sizing arrays in advance.
    func countRemainingElements() -> Int {
        var probe = self
        var count = 0
        while !probe.isAtEnd, (try? probe.readHeader()) != nil {
            count += 1
        }
        return count
    }

    /// Requires that the container has been read completely.
    public func finish(_ container: @autoclosure () -> String) throws(TrapDecodingError) {
        guard position == self.container.endIndex else {
            throw TrapDecodingError(
                .trailingBytes, at: offset,
                "\(self.container.endIndex - position) unexpected octets after the end of \(container())")
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

    private static func tooDeep(at offset: Int) -> TrapDecodingError {
        TrapDecodingError(.nestingTooDeep, at: offset, "constructed elements nested deeper than \(maximumDepth)")
    }

    /// Reads the identifier and length octets of the next element and moves past the whole element; returns the
    /// identifier, the element's offset and the index range of its contents in `container`.
    ///
    /// After a throw, `position` is just past the octets read before the fault was found (the identifier, then
    /// each length octet), as when the octets are popped one at a time.
    private mutating func readHeader() throws(TrapDecodingError) -> (tag: UInt8, offset: Int, content: Range<Int>) {
        let end = container.endIndex
        let tagOffset = offset
        guard position < end else {
            throw TrapDecodingError(.truncated, at: tagOffset, "expected an element, found the end of its container")
        }
        let tag = container[position]
        position += 1
        guard tag & BERTag.highTagNumberMarker != BERTag.highTagNumberMarker else {
            throw TrapDecodingError(
                .unexpectedTag, at: tagOffset,
                "identifier 0x\(String(tag, radix: 16)) uses the high-tag-number form, which SNMP never uses")
        }
        let length = try readLength()
        guard end - position >= length else {
            throw TrapDecodingError(
                .truncated, at: tagOffset,
                "\(BERTag.describe(tag)) announces \(length) content octets but only \(end - position) remain")
        }
        let content = position..<(position + length)
        position = content.upperBound
        return (tag, tagOffset, content)
    }

    private mutating func readLength() throws(TrapDecodingError) -> Int {
        let end = container.endIndex
        let lengthOffset = offset
        guard position < end else {
            throw TrapDecodingError(.truncated, at: lengthOffset, "the datagram ends before a length")
        }
        let first = container[position]
        position += 1
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
        guard end - position >= octetCount else {
            throw TrapDecodingError(.truncated, at: lengthOffset, "the datagram ends inside a length")
        }
        var length = 0
        for index in position..<(position + octetCount) {
            length = length << 8 | Int(container[index])
        }
        position += octetCount
        return length
    }
}
