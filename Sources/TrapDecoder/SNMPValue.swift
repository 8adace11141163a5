/// The value of a variable binding: every SMI type of RFC 2578 plus the SNMPv2 exception values (RFC 3416).
///
/// Octet-string-like values are views into the datagram; nothing is copied while decoding.
public enum SNMPValue: Hashable, Sendable {
    case integer(Int32)
    case octetString(ArraySlice<UInt8>)
    case null
    case objectIdentifier(OID)
    /// Four octets in network order.
    case ipAddress(IPv4Address)
    case counter32(UInt32)
    /// Gauge32 and Unsigned32 share the tag 0x42.
    case gauge32(UInt32)
    case timeTicks(UInt32)
    /// An Opaque's octets, not unwrapped (net-snmp's float/double wrappers stay raw).
    case opaque(ArraySlice<UInt8>)
    case counter64(UInt64)
    case noSuchObject
    case noSuchInstance
    case endOfMibView

    /// Hashes the case and its value; octet strings in one call (the synthesized hash combined them octet by octet,
    /// and a relay's loop guard hashes every varbind it sends and receives).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .integer(let value): hasher.combine(0 as UInt8); hasher.combine(value)
        case .octetString(let octets): hasher.combine(1 as UInt8); Self.combine(octets, into: &hasher)
        case .null: hasher.combine(2 as UInt8)
        case .objectIdentifier(let oid): hasher.combine(3 as UInt8); hasher.combine(oid)
        case .ipAddress(let address): hasher.combine(4 as UInt8); hasher.combine(address.value)
        case .counter32(let value): hasher.combine(5 as UInt8); hasher.combine(value)
        case .gauge32(let value): hasher.combine(6 as UInt8); hasher.combine(value)
        case .timeTicks(let value): hasher.combine(7 as UInt8); hasher.combine(value)
        case .opaque(let octets): hasher.combine(8 as UInt8); Self.combine(octets, into: &hasher)
        case .counter64(let value): hasher.combine(9 as UInt8); hasher.combine(value)
        case .noSuchObject: hasher.combine(10 as UInt8)
        case .noSuchInstance: hasher.combine(11 as UInt8)
        case .endOfMibView: hasher.combine(12 as UInt8)
        }
    }

    private static func combine(_ octets: ArraySlice<UInt8>, into hasher: inout Hasher) {
        hasher.combine(octets.count)
        octets.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// The type name used in JSON (the corpus schema), e.g. `OctetString`.
    public var typeName: String { typeLiteral.description }

    /// The type name as a literal, for renderers that write it without a String.
    public var typeLiteral: StaticString {
        switch self {
        case .integer: return "Integer"
        case .octetString: return "OctetString"
        case .null: return "Null"
        case .objectIdentifier: return "ObjectIdentifier"
        case .ipAddress: return "IpAddress"
        case .counter32: return "Counter32"
        case .gauge32: return "Gauge32"
        case .timeTicks: return "TimeTicks"
        case .opaque: return "Opaque"
        case .counter64: return "Counter64"
        case .noSuchObject: return "NoSuchObject"
        case .noSuchInstance: return "NoSuchInstance"
        case .endOfMibView: return "EndOfMibView"
        }
    }

    /// The type name used in operator messages (SPEC §5), e.g. `OCTET-STRING`.
    public var operatorTypeName: String {
        switch self {
        case .integer: return "INTEGER"
        case .octetString: return "OCTET-STRING"
        case .null: return "NULL"
        case .objectIdentifier: return "OBJECT-IDENTIFIER"
        case .ipAddress: return "IPADDR"
        case .counter32: return "COUNTER"
        case .gauge32: return "GAUGE"
        case .timeTicks: return "TIMETICKS"
        case .opaque: return "OPAQUE"
        case .counter64: return "COUNTER64"
        case .noSuchObject: return "NO-SUCH-OBJECT"
        case .noSuchInstance: return "NO-SUCH-INSTANCE"
        case .endOfMibView: return "END-OF-MIB-VIEW"
        }
    }
}
