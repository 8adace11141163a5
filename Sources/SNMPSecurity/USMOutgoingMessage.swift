import TrapDecoder

/// An SNMPv3 message to send with USM (RFC 3412 §7.1, RFC 3414 §3.1): a Response to an inform, a Report, or a
/// notification to an upstream manager.
public struct USMOutgoingMessage: Sendable {
    /// Who protects the message.
    public enum Security: Sendable {
        /// noAuthNoPriv under this msgUserName (a Report to a discovery probe carries the probe's, often empty).
        case unauthenticated(userName: [UInt8])
        /// A user whose keys are localized to the message's authoritative engine, at a level its protocols allow.
        case user(USMLocalizedUser, SNMPSecurityLevel)
    }

    /// msgID; a Response or Report echoes the request's.
    public var messageID: Int32
    /// msgMaxSize: the largest message this sender accepts.
    public var maximumSize: Int32
    /// msgFlags reportableFlag: set for requests and informs, clear for responses, reports and traps.
    public var reportable: Bool
    /// The user and level.
    public var security: Security
    /// msgAuthoritativeEngineID: the receiver's for requests and informs, the sender's own otherwise.
    public var engineID: [UInt8]
    /// msgAuthoritativeEngineBoots.
    public var engineBoots: Int32
    /// msgAuthoritativeEngineTime.
    public var engineTime: Int32
    /// The scopedPDU, encrypted when the level asks for privacy.
    public var scopedPDU: USMScopedPDU

    /// Creates a message to encode.
    public init(
        messageID: Int32, maximumSize: Int32 = 65507, reportable: Bool, security: Security, engineID: [UInt8],
        engineBoots: Int32, engineTime: Int32, scopedPDU: USMScopedPDU
    ) {
        self.messageID = messageID
        self.maximumSize = maximumSize
        self.reportable = reportable
        self.security = security
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.engineTime = engineTime
        self.scopedPDU = scopedPDU
    }

    /// Encodes, encrypts with a fresh salt from `salt` and authenticates the message. Throws when the user cannot
    /// protect a message at the level asked, or its keys belong to another engine.
    public func encoded(salt: inout USMSaltCounter) throws(USMConfigurationError) -> [UInt8] {
        let level: SNMPSecurityLevel
        let userName: [UInt8]
        var user: USMLocalizedUser?
        switch security {
        case .unauthenticated(let name):
            level = .noAuthNoPriv
            userName = name
        case .user(let localized, let requested):
            guard localized.supports(requested) else {
                throw USMConfigurationError(.inconsistentUser, "\(localized) cannot protect a message at \(requested)")
            }
            guard requested == .noAuthNoPriv || localized.engineID == engineID else {
                throw USMConfigurationError(
                    .inconsistentUser, "\(localized) has no keys for engine \(engineID.hexString)")
            }
            level = requested
            userName = localized.nameOctets
            user = localized
        }

        var privacyParameters: [UInt8] = []
        var ciphertext: [UInt8]?
        if level.isPrivate, let user, let priv = user.privProtocol {
            privacyParameters = salt.salt(for: priv, boots: engineBoots)
            ciphertext = try user.encryptData(
                scopedPDU.encoded(), salt: privacyParameters, engineBoots: engineBoots, engineTime: engineTime)
        }
        let macLength = level.isAuthenticated ? user?.authProtocol?.macLength ?? 0 : 0

        var writer = BERWriter(capacity: (ciphertext?.count ?? 256) + 128)
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(SNMPVersion.v3.rawValue))
            message.constructed(BERTag.sequence) { global in
                global.integer(Int64(messageID))
                global.integer(Int64(maximumSize))
                global.primitive(BERTag.octetString, [level.flags | (reportable ? 0x04 : 0)])
                global.integer(3)
            }
            var parameters = BERWriter(capacity: 128)
            parameters.constructed(BERTag.sequence) { usm in
                usm.primitive(BERTag.octetString, engineID)
                usm.integer(Int64(engineBoots))
                usm.integer(Int64(engineTime))
                usm.primitive(BERTag.octetString, userName)
                usm.primitive(BERTag.octetString, repeatElement(UInt8(0), count: macLength))
                usm.primitive(BERTag.octetString, privacyParameters)
            }
            message.primitive(BERTag.octetString, parameters.bytes)
            if let ciphertext {
                message.primitive(BERTag.octetString, ciphertext)
            } else {
                scopedPDU.write(into: &message)
            }
        }
        var bytes = writer.bytes
        if let user, level.isAuthenticated {
            try user.authenticateOutgoingMessage(&bytes)
        }
        return bytes
    }
}
