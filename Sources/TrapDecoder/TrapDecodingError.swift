/// Why a datagram is not an acceptable SNMP notification, and where in it the problem was found.
///
/// Errors compare by `kind` only, so tests can write `#expect(error.kind == .truncated)` and
/// callers can count failures by kind without caring about the wording of `reason`.
public struct TrapDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable category of a decoding failure; its raw value is used in logs, JSON and metrics.
    public enum Kind: String, Sendable, CaseIterable {
        /// The datagram ends before an element it announces.
        case truncated
        /// A length octet sequence that BER does not allow (reserved 0xFF, more than 4 octets) or a wrong fixed size.
        case badLength
        /// The indefinite length form 0x80, which SNMP forbids (RFC 3417 §8).
        case indefiniteLength
        /// An element with a tag other than the one the SNMP grammar requires here.
        case unexpectedTag
        /// An integer with no content octets, too many octets, or a value outside its type's range.
        case integerOverflow
        /// An OBJECT IDENTIFIER that is empty, unterminated, non-minimal, too long or with a too-large arc.
        case badOID
        /// A value whose content breaks its type's constraints (NULL with content, a 5-octet IpAddress, …).
        case badValue
        /// Bytes after the end of an element that must fill its container exactly.
        case trailingBytes
        /// An SNMP version other than 0 (v1), 1 (v2c) or 3 (v3).
        case unsupportedVersion
        /// A well-formed SNMP message that is not a notification (Get, Response, Report, …).
        case notANotification
        /// Constructed elements nested deeper than the reader allows.
        case nestingTooDeep
    }

    /// The category of the failure.
    public let kind: Kind
    /// Offset in the datagram (0 = first byte) of the element or octet that failed.
    public let offset: Int
    /// A sentence for people: what was found and what was expected.
    public let reason: String

    /// Creates an error of `kind` at `offset`.
    public init(_ kind: Kind, at offset: Int, _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "\(kind.rawValue) at offset \(offset): \(reason)"
    }

    public static func == (lhs: TrapDecodingError, rhs: TrapDecodingError) -> Bool {
        lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
    }
}
