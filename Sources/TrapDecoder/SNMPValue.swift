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
