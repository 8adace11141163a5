/// The parts of an SNMPv3 message (RFC 3412 §6, USM of RFC 3414 §2.4) around its scoped PDU.
public struct SNMPv3Header: Hashable, Sendable {
    /// msgID.
    public var messageID: Int32
    /// msgMaxSize.
    public var maximumSize: Int32
    /// The single octet of msgFlags (0x01 auth, 0x02 priv, 0x04 reportable).
    public var flags: UInt8
    /// msgSecurityModel (3 = USM).
    public var securityModel: Int32
    /// The USM parameters; nil for security models other than USM, whose parameters are opaque.
    public var usm: USMSecurityParameters?
    /// contextEngineID of a plaintext scopedPDU; nil when the scopedPDU is encrypted.
    public var contextEngineID: ArraySlice<UInt8>?
    /// contextName of a plaintext scopedPDU; nil when the scopedPDU is encrypted.
    public var contextName: ArraySlice<UInt8>?
    /// The security level at which the User-based Security Model accepted the message (authenticated and
    /// decrypted as msgFlags ask); nil when the message was only decoded, so nothing in it was verified.
    public var acceptedSecurityLevel: SNMPSecurityLevel?

    /// The USM security parameters (RFC 3414 §2.4).
    public struct USMSecurityParameters: Hashable, Sendable {
        public var engineID: ArraySlice<UInt8>
        public var engineBoots: Int32
        public var engineTime: Int32
        public var userName: ArraySlice<UInt8>
        public var authenticationParameters: ArraySlice<UInt8>
        public var privacyParameters: ArraySlice<UInt8>
    }
}
