/// The identifier octets that SNMP messages use (RFC 1157, RFC 3416, RFC 3412), named as in the ASN.1.
///
/// All SNMP tags fit the low-tag-number form, so a tag is one octet.
public enum BERTag {
    public static let integer: UInt8 = 0x02
    public static let octetString: UInt8 = 0x04
    public static let null: UInt8 = 0x05
    public static let objectIdentifier: UInt8 = 0x06
    public static let sequence: UInt8 = 0x30

    public static let ipAddress: UInt8 = 0x40
    public static let counter32: UInt8 = 0x41
    public static let gauge32: UInt8 = 0x42
    public static let timeTicks: UInt8 = 0x43
    public static let opaque: UInt8 = 0x44
    public static let counter64: UInt8 = 0x46

    public static let noSuchObject: UInt8 = 0x80
    public static let noSuchInstance: UInt8 = 0x81
    public static let endOfMibView: UInt8 = 0x82

    public static let getRequest: UInt8 = 0xA0
    public static let getNextRequest: UInt8 = 0xA1
    public static let response: UInt8 = 0xA2
    public static let setRequest: UInt8 = 0xA3
    public static let trapV1: UInt8 = 0xA4
    public static let getBulkRequest: UInt8 = 0xA5
    public static let informRequest: UInt8 = 0xA6
    public static let trapV2: UInt8 = 0xA7
    public static let report: UInt8 = 0xA8

    /// The bit that marks a constructed encoding.
    static let constructedBit: UInt8 = 0x20
    /// Low five bits all set: the tag number continues in further octets (high-tag-number form).
    static let highTagNumberMarker: UInt8 = 0x1F

    /// A readable name for an identifier octet, for error messages.
    public static func describe(_ tag: UInt8) -> String {
        switch tag {
        case integer: return "INTEGER"
        case octetString: return "OCTET STRING"
        case null: return "NULL"
        case objectIdentifier: return "OBJECT IDENTIFIER"
        case sequence: return "SEQUENCE"
        case ipAddress: return "IpAddress"
        case counter32: return "Counter32"
        case gauge32: return "Gauge32"
        case timeTicks: return "TimeTicks"
        case opaque: return "Opaque"
        case counter64: return "Counter64"
        case noSuchObject: return "noSuchObject"
        case noSuchInstance: return "noSuchInstance"
        case endOfMibView: return "endOfMibView"
        case getRequest: return "GetRequest-PDU"
        case getNextRequest: return "GetNextRequest-PDU"
        case response: return "Response-PDU"
        case setRequest: return "SetRequest-PDU"
        case trapV1: return "Trap-PDU"
        case getBulkRequest: return "GetBulkRequest-PDU"
        case informRequest: return "InformRequest-PDU"
        case trapV2: return "SNMPv2-Trap-PDU"
        case report: return "Report-PDU"
        default: return "tag 0x" + String(tag, radix: 16)
        }
    }
}
