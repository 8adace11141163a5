/// A USM authentication protocol; raw values are net-snmp's `-a` names.
///
/// HMAC-MD5-96 and HMAC-SHA-96 (RFC 3414 §6, §7); usmHMAC128SHA224AuthProtocol … usmHMAC384SHA512AuthProtocol
/// (RFC 7860).
public enum USMAuthProtocol: String, Sendable, Hashable, CaseIterable, USMNamed {
    case md5 = "MD5"
    case sha1 = "SHA"
    case sha224 = "SHA-224"
    case sha256 = "SHA-256"
    case sha384 = "SHA-384"
    case sha512 = "SHA-512"

    static let fieldName = "auth protocol"

    /// The protocol named `name`; the error lists the allowed names.
    public init(parsing name: String) throws(USMConfigurationError) {
        self = try Self.parse(name)
    }

    /// Decodes a protocol name; an unknown one is a `DecodingError` that lists the allowed names.
    public init(from decoder: any Decoder) throws {
        self = try Self.decode(from: decoder)
    }

    /// Octets of msgAuthenticationParameters: the HMAC truncated as RFC 3414 and RFC 7860 specify.
    public var macLength: Int {
        switch self {
        case .md5, .sha1: return 12
        case .sha224: return 16
        case .sha256: return 24
        case .sha384: return 32
        case .sha512: return 48
        }
    }

    /// Octets of the hash's output, which is also the length of a localized key.
    public var digestLength: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha224: return 28
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        }
    }
}
