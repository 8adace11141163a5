/// Why a USM user cannot be set up; the text names the user and field, never a passphrase or key.
public struct USMConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable category of a configuration failure.
    public enum Kind: String, Sendable, CaseIterable {
        /// A protocol or security level name outside the allowed set.
        case unknownName
        /// A passphrase shorter than 8 octets (net-snmp's minimum, RFC 3414 §11.2's advice).
        case passphraseTooShort
        /// A passphrase or protocol missing where another setting needs it, or given where nothing uses it.
        case inconsistentUser
        /// An snmpEngineID outside 5…32 octets (RFC 3411 SnmpEngineID), or a user name over 32 octets.
        case badIdentifier
        /// The same user name twice for one engine.
        case duplicateUser
        /// OpenSSL could not provide an algorithm the user needs (DES needs its legacy provider).
        case algorithmUnavailable
    }

    /// The category.
    public let kind: Kind
    /// A sentence for people.
    public let reason: String

    /// Creates an error of `kind`.
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }

    public static func == (lhs: USMConfigurationError, rhs: USMConfigurationError) -> Bool { lhs.kind == rhs.kind }

    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// The error for `value`, which is not one of `allowed`.
    static func unknownName(_ field: String, _ value: String, allowed: [String]) -> USMConfigurationError {
        USMConfigurationError(
            .unknownName, "unknown \(field) \"\(value)\"; allowed: \(allowed.joined(separator: ", "))")
    }
}
