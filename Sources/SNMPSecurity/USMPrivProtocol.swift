/// A USM privacy protocol; raw values are net-snmp's `-x` names.
///
/// DES-CBC (RFC 3414 §8), AES-128-CFB (RFC 3826), and AES-192/256-CFB with the two key extensions in use:
/// Blumenthal's (`AES-192`, `AES-256`; draft-blumenthal-aes-usm-04) and Reeder's (`AES-192-C`, `AES-256-C`;
/// draft-reeder-snmpv3-usm-3desede-00), which net-snmp, pysnmp and Cisco devices implement.
public enum USMPrivProtocol: String, Sendable, Hashable, CaseIterable, USMNamed {
    case des = "DES"
    case aes = "AES"
    case aes192 = "AES-192"
    case aes256 = "AES-256"
    case aes192Reeder = "AES-192-C"
    case aes256Reeder = "AES-256-C"

    static let fieldName = "priv protocol"

    /// How a localized key shorter than the cipher needs is lengthened.
    public enum KeyExtension: String, Sendable {
        /// Kul ‖ H(Kul) ‖ … (draft-blumenthal-aes-usm-04 §3.1.2.1).
        case blumenthal
        /// Kul ‖ localize(password_to_key(Kul)) ‖ … (draft-reeder-snmpv3-usm-3desede-00 §2.1).
        case reeder
    }

    /// The protocol named `name`; the error lists the allowed names.
    public init(parsing name: String) throws(USMConfigurationError) {
        self = try Self.parse(name)
    }

    /// Decodes a protocol name; an unknown one is a `DecodingError` that lists the allowed names.
    public init(from decoder: any Decoder) throws {
        self = try Self.decode(from: decoder)
    }

    /// Octets of key material the protocol uses: DES 8 key + 8 pre-IV octets, AES the key.
    public var keyLength: Int {
        switch self {
        case .des, .aes: return 16
        case .aes192, .aes192Reeder: return 24
        case .aes256, .aes256Reeder: return 32
        }
    }

    /// How a localized key shorter than `keyLength` is extended; nil where no hash is that short.
    public var keyExtension: KeyExtension? {
        switch self {
        case .des, .aes: return nil
        case .aes192, .aes256: return .blumenthal
        case .aes192Reeder, .aes256Reeder: return .reeder
        }
    }
}
