/// An SNMPv3 securityLevel (RFC 3411 §3.4.3), ordered from weakest to strongest; raw values are net-snmp's `-l` names.
public enum SNMPSecurityLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case noAuthNoPriv
    case authNoPriv
    case authPriv

    /// The level that msgFlags asks for (authFlag 0x01, privFlag 0x02); nil for privacy without
    /// authentication, which RFC 3412 §7.2 step 5 rejects.
    public init?(flags: UInt8) {
        switch flags & 0x03 {
        case 0x00: self = .noAuthNoPriv
        case 0x01: self = .authNoPriv
        case 0x03: self = .authPriv
        default: return nil
        }
    }

    /// The authFlag and privFlag bits of msgFlags for this level.
    public var flags: UInt8 {
        switch self {
        case .noAuthNoPriv: return 0x00
        case .authNoPriv: return 0x01
        case .authPriv: return 0x03
        }
    }

    /// Whether messages at this level carry an HMAC.
    public var isAuthenticated: Bool { self != .noAuthNoPriv }

    /// Whether messages at this level are encrypted.
    public var isPrivate: Bool { self == .authPriv }

    public static func < (lhs: SNMPSecurityLevel, rhs: SNMPSecurityLevel) -> Bool {
        lhs.flags < rhs.flags
    }
}
