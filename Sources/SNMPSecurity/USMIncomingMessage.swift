import TrapDecoder

/// An SNMPv3 notification that passed USM processing: authentic, timely and decrypted as its msgFlags asked.
public struct USMIncomingMessage: Sendable {
    /// The notification with its plaintext PDU; `message.v3` holds the header as sent, the context fields of the
    /// scopedPDU and `acceptedSecurityLevel`.
    public var message: TrapMessage
    /// The usmUserTable row that matched (engine ID, user name).
    public var user: USMLocalizedUser
    /// The level the message was protected at.
    public var securityLevel: SNMPSecurityLevel
    /// Whether msgAuthoritativeEngineID is the receiver's own: an inform, which the receiver must answer.
    public var isAuthoritative: Bool
}
