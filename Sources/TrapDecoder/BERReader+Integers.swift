extension BERReader {
    /// Reads an INTEGER-shaped element with identifier `tag` as a signed 32-bit value (Integer32, request-id, …).
    ///
    /// BER integers are two's complement, big-endian; SNMP's Integer32 needs 1–4 content octets.
    /// Non-minimal contents (`00 00 00 05`) are accepted because real agents send them.
    public mutating func readInt32(_ field: String, tag: UInt8 = BERTag.integer) throws(TrapDecodingError) -> Int32 {
        let element = try readElement(tag)
        return try Self.int32(element, field)
    }

    /// Reads an unsigned 32-bit element (Counter32, Gauge32, TimeTicks) with identifier `tag`.
    public mutating func readUInt32(_ tag: UInt8, _ field: String) throws(TrapDecodingError) -> UInt32 {
        let element = try readElement(tag)
        return try Self.uint32(element, field)
    }

    /// The value of an INTEGER-shaped element as Integer32.
    static func int32(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> Int32 {
        let content = element.content
        guard let first = content.first else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) has no content octets")
        }
        guard content.count <= 4 else {
            throw TrapDecodingError(
                .integerOverflow, at: element.offset,
                "\(field) has \(content.count) content octets; Integer32 allows at most 4")
        }
        var value: Int32 = first >= 0x80 ? -1 : 0
        for octet in content {
            value = value << 8 | Int32(octet)
        }
        return value
    }

    /// The value of an unsigned element as UInt32 (0…2^32−1, at most 5 content octets).
    static func uint32(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> UInt32 {
        let value = try unsigned(element, field, maximumOctets: 5)
        guard value <= UInt64(UInt32.max) else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) \(value) exceeds 2^32−1")
        }
        return UInt32(value)
    }

    /// The value of a Counter64 element (0…2^64−1, at most 9 content octets).
    static func uint64(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> UInt64 {
        try unsigned(element, field, maximumOctets: 9)
    }

    private static func unsigned(
        _ element: BERElement, _ field: String, maximumOctets: Int
    ) throws(TrapDecodingError) -> UInt64 {
        let content = element.content
        guard let first = content.first else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) has no content octets")
        }
        guard first < 0x80 else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) is negative")
        }
        guard content.count <= maximumOctets else {
            throw TrapDecodingError(
                .integerOverflow, at: element.offset,
                "\(field) has \(content.count) content octets; at most \(maximumOctets) are allowed")
        }
        // With the maximum octet count the first octet can only be the sign padding.
        guard content.count < maximumOctets || first == 0 else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) is out of range")
        }
        var value: UInt64 = 0
        for octet in content {
            value = value << 8 | UInt64(octet)
        }
        return value
    }
}
