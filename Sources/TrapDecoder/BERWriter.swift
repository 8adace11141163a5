/// Writes BER elements with definite, minimal lengths into a byte array.
///
/// Constructed elements are written in place: the length octet is reserved, the contents written,
/// and the length filled in afterwards (shifting the contents only when the length needs long form).
/// Integers, lengths and OIDs are written octet by octet into the array, with no array of their own, and a writer
/// can be emptied and used again (`removeAll(keepingCapacity:)`), so a relay re-encodes into one buffer.
public struct BERWriter: Sendable {
    /// The encoded octets so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Forgets what was written, keeping the buffer's capacity by default for the next encoding.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// Writes a constructed element whose contents `body` writes.
    public mutating func constructed(_ tag: UInt8, _ body: (inout BERWriter) -> Void) {
        bytes.append(tag)
        let lengthIndex = bytes.count
        bytes.append(0)
        body(&self)
        let length = bytes.count - lengthIndex - 1
        if length < 0x80 {
            bytes[lengthIndex] = UInt8(length)
        } else {
            let octetCount = Self.lengthOctetCount(length)
            bytes[lengthIndex] = 0x80 | UInt8(octetCount)
            bytes.insert(contentsOf: repeatElement(0, count: octetCount), at: lengthIndex + 1)
            Self.store(length, octets: octetCount, in: &bytes, at: lengthIndex + 1)
        }
    }

    /// Writes a primitive element.
    public mutating func primitive(_ tag: UInt8, _ content: some Collection<UInt8>) {
        bytes.append(tag)
        writeLength(content.count)
        bytes.append(contentsOf: content)
    }

    /// Writes a signed integer (INTEGER, Integer32) in minimal two's complement.
    public mutating func integer(_ value: Int64, tag: UInt8 = BERTag.integer) {
        // The fewest octets whose top bit repeats the sign: the value shifted by one bit less than their width
        // is all zeros or all ones.
        var octetCount = 1
        while octetCount < 8 && (value >> (octetCount * 8 - 1) != 0 && value >> (octetCount * 8 - 1) != -1) {
            octetCount += 1
        }
        bytes.append(tag)
        bytes.append(UInt8(octetCount))
        appendBigEndian(UInt64(bitPattern: value), octets: octetCount)
    }

    /// Writes an unsigned value (Counter32, Gauge32, TimeTicks, Counter64) with a leading zero when needed.
    public mutating func unsigned(_ value: UInt64, tag: UInt8) {
        let significant = max(1, (64 - value.leadingZeroBitCount + 7) / 8)
        // A top octet from 0x80 would read as negative: a zero octet goes before it.
        let padded = value >> UInt64(significant * 8 - 1) & 1 == 1
        bytes.append(tag)
        bytes.append(UInt8(significant + (padded ? 1 : 0)))
        if padded { bytes.append(0) }
        appendBigEndian(value, octets: significant)
    }

    /// Writes an OBJECT IDENTIFIER.
    public mutating func oid(_ oid: OID) {
        bytes.append(BERTag.objectIdentifier)
        writeLength(oid.encodedCount)
        oid.withEncoded { bytes.append(contentsOf: $0) }
    }

    /// Writes a varbind value.
    public mutating func value(_ value: SNMPValue) {
        switch value {
        case .integer(let v): integer(Int64(v))
        case .octetString(let octets): primitive(BERTag.octetString, octets)
        case .null: empty(BERTag.null)
        case .objectIdentifier(let o): oid(o)
        case .ipAddress(let address):
            bytes.append(BERTag.ipAddress)
            bytes.append(4)
            appendBigEndian(UInt64(address.value), octets: 4)
        case .counter32(let v): unsigned(UInt64(v), tag: BERTag.counter32)
        case .gauge32(let v): unsigned(UInt64(v), tag: BERTag.gauge32)
        case .timeTicks(let v): unsigned(UInt64(v), tag: BERTag.timeTicks)
        case .opaque(let octets): primitive(BERTag.opaque, octets)
        case .counter64(let v): unsigned(v, tag: BERTag.counter64)
        case .noSuchObject: empty(BERTag.noSuchObject)
        case .noSuchInstance: empty(BERTag.noSuchInstance)
        case .endOfMibView: empty(BERTag.endOfMibView)
        }
    }

    /// Writes one VarBind SEQUENCE.
    public mutating func varbind(_ varbind: VarBind) {
        constructed(BERTag.sequence) { pair in
            pair.oid(varbind.oid)
            pair.value(varbind.value)
        }
    }

    /// Writes a VarBindList.
    public mutating func varbinds(_ varbinds: VarBindList) {
        constructed(BERTag.sequence) { list in
            for varbind in varbinds {
                list.varbind(varbind)
            }
        }
    }

    /// Appends octets that are already BER, as they are (a validated VarBindList's contents).
    mutating func appendEncoded(_ octets: ArraySlice<UInt8>) {
        bytes.append(contentsOf: octets)
    }

    private mutating func empty(_ tag: UInt8) {
        bytes.append(tag)
        bytes.append(0)
    }

    private mutating func writeLength(_ length: Int) {
        if length < 0x80 {
            bytes.append(UInt8(length))
        } else {
            let octetCount = Self.lengthOctetCount(length)
            bytes.append(0x80 | UInt8(octetCount))
            appendBigEndian(UInt64(length), octets: octetCount)
        }
    }

    /// Appends the low `octets` octets of `value`, most significant first.
    private mutating func appendBigEndian(_ value: UInt64, octets: Int) {
        var shift = octets * 8
        while shift > 0 {
            shift -= 8
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// How many octets a long-form length of `length` (≥ 0x80) takes.
    private static func lengthOctetCount(_ length: Int) -> Int {
        (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
    }

    /// Writes the low `octets` octets of `value` over `bytes[index...]`, most significant first.
    private static func store(_ value: Int, octets: Int, in bytes: inout [UInt8], at index: Int) {
        for offset in 0..<octets {
            bytes[index + offset] = UInt8(truncatingIfNeeded: value >> ((octets - 1 - offset) * 8))
        }
    }
}
