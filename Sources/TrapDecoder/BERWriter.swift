/// Writes BER elements with definite, minimal lengths into a byte array.
///
/// Constructed elements are written in place: the length octet is reserved, the contents written,
/// and the length filled in afterwards (shifting the contents only when the length needs long form).
public struct BERWriter: Sendable {
    /// The encoded octets so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
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
            let lengthOctets = Self.lengthOctets(length)
            bytes[lengthIndex] = 0x80 | UInt8(lengthOctets.count)
            bytes.insert(contentsOf: lengthOctets, at: lengthIndex + 1)
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
        var octets: [UInt8] = []
        var v = value
        repeat {
            octets.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        } while !(v == 0 && octets.last! < 0x80) && !(v == -1 && octets.last! >= 0x80)
        primitive(tag, octets.reversed())
    }

    /// Writes an unsigned value (Counter32, Gauge32, TimeTicks, Counter64) with a leading zero when needed.
    public mutating func unsigned(_ value: UInt64, tag: UInt8) {
        var octets: [UInt8] = []
        var v = value
        repeat {
            octets.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        } while v != 0
        if octets.last! >= 0x80 {
            octets.append(0)
        }
        primitive(tag, octets.reversed())
    }

    /// Writes an OBJECT IDENTIFIER.
    public mutating func oid(_ oid: OID) {
        primitive(BERTag.objectIdentifier, oid.encoded)
    }

    /// Writes a varbind value.
    public mutating func value(_ value: SNMPValue) {
        switch value {
        case .integer(let v): integer(Int64(v))
        case .octetString(let octets): primitive(BERTag.octetString, octets)
        case .null: primitive(BERTag.null, EmptyCollection())
        case .objectIdentifier(let o): oid(o)
        case .ipAddress(let address): primitive(BERTag.ipAddress, address.octets)
        case .counter32(let v): unsigned(UInt64(v), tag: BERTag.counter32)
        case .gauge32(let v): unsigned(UInt64(v), tag: BERTag.gauge32)
        case .timeTicks(let v): unsigned(UInt64(v), tag: BERTag.timeTicks)
        case .opaque(let octets): primitive(BERTag.opaque, octets)
        case .counter64(let v): unsigned(v, tag: BERTag.counter64)
        case .noSuchObject: primitive(BERTag.noSuchObject, EmptyCollection())
        case .noSuchInstance: primitive(BERTag.noSuchInstance, EmptyCollection())
        case .endOfMibView: primitive(BERTag.endOfMibView, EmptyCollection())
        }
    }

    /// Writes a VarBindList.
    public mutating func varbinds(_ varbinds: [VarBind]) {
        constructed(BERTag.sequence) { list in
            for varbind in varbinds {
                list.constructed(BERTag.sequence) { pair in
                    pair.oid(varbind.oid)
                    pair.value(varbind.value)
                }
            }
        }
    }

    private mutating func writeLength(_ length: Int) {
        if length < 0x80 {
            bytes.append(UInt8(length))
        } else {
            let octets = Self.lengthOctets(length)
            bytes.append(0x80 | UInt8(octets.count))
            bytes.append(contentsOf: octets)
        }
    }

    private static func lengthOctets(_ length: Int) -> [UInt8] {
        var octets: [UInt8] = []
        var v = length
        while v > 0 {
            octets.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        return octets.reversed()
    }
}
