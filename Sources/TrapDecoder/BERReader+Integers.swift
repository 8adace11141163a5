extension BERReader {
    /// Reads an INTEGER-shaped element with identifier `tag` as a signed 32-bit value (Integer32, request-id, …).
    ///
    /// BER integers are two's complement, big-endian; SNMP's Integer32 needs 1–4 significant content octets.
    /// Non-minimal contents (`00 00 00 05`, `ff ff 80 00 00 00`) are accepted because real encoders send them.
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
    ///
    /// Redundant leading sign octets (`00` before an octet below 0x80, `FF` before one from 0x80) are skipped:
    /// X.690 forbids them, but real encoders write them (pysnmp sends request-id −2^31 as `02 05 ff 80 00 00 00`)
    /// and net-snmp accepts them. What remains must fit Integer32: at most 4 octets.
    static func int32(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> Int32 {
        var content = element.content
        guard !content.isEmpty else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) has no content octets")
        }
        while content.count > 1 {
            let first = content[content.startIndex]
            let second = content[content.startIndex + 1]
            guard (first == 0x00 && second < 0x80) || (first == 0xFF && second >= 0x80) else { break }
            content = content.dropFirst()
        }
        guard content.count <= 4 else {
            throw TrapDecodingError(
                .integerOverflow, at: element.offset,
                "\(field) is outside Integer32 (\(content.count) significant content octets; at most 4 fit)")
        }
        var value: Int32 = content.first! >= 0x80 ? -1 : 0
        for octet in content {
            value = value << 8 | Int32(octet)
        }
        return value
    }

    /// The value of an unsigned element as UInt32 (0…2^32−1).
    static func uint32(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> UInt32 {
        let value = try unsigned(element, field, maximumSignificantOctets: 4)
        return UInt32(value)
    }

    /// The value of a Counter64 element (0…2^64−1).
    static func uint64(_ element: BERElement, _ field: String) throws(TrapDecodingError) -> UInt64 {
        try unsigned(element, field, maximumSignificantOctets: 8)
    }

    /// A non-negative two's complement value; leading `00` octets are skipped (one is needed when the top bit is
    /// set, more are redundant but accepted, as by `int32`), and what remains must fit `maximumSignificantOctets`.
    private static func unsigned(
        _ element: BERElement, _ field: String, maximumSignificantOctets: Int
    ) throws(TrapDecodingError) -> UInt64 {
        var content = element.content
        guard let first = content.first else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) has no content octets")
        }
        guard first < 0x80 else {
            throw TrapDecodingError(.integerOverflow, at: element.offset, "\(field) is negative")
        }
        while content.count > 1 && content.first == 0x00 {
            content = content.dropFirst()
        }
        guard content.count <= maximumSignificantOctets else {
            throw TrapDecodingError(
                .integerOverflow, at: element.offset,
                "\(field) exceeds 2^\(maximumSignificantOctets * 8)−1 (\(content.count) significant content octets)")
        }
        var value: UInt64 = 0
        for octet in content {
            value = value << 8 | UInt64(octet)
        }
        return value
    }
}
