import TrapDecoder

/// An SNMPv3 message of any PDU type that passed USM processing (`USMProcessor.verify`): authentic, timely and
/// decrypted as its msgFlags asked. What a notification originator reads a Response or a Report from.
public struct USMVerifiedMessage: Sendable {
    /// The header as sent, with `acceptedSecurityLevel` set; the context fields are in `scopedPDU`.
    public var header: SNMPv3Header
    /// The plaintext scopedPDU.
    public var scopedPDU: USMScopedPDU
    /// The usmUserTable row that matched (engine ID, user name).
    public var user: USMLocalizedUser
    /// The level the message was protected at.
    public var securityLevel: SNMPSecurityLevel
    /// Whether msgAuthoritativeEngineID is the receiver's own.
    public var isAuthoritative: Bool
}
