import TrapDecoder

/// A configured USM user (a usmUserTable row before its keys are derived, RFC 3414 §2.2).
///
/// `engineID` is the authoritative engine the keys are localized to: the sender's for traps, the receiver's own for
/// informs; nil means the receiver's own. Passphrases never show in the description.
public struct USMUser: Hashable, Sendable, CustomStringConvertible {
    /// The securityName as configured; the msgUserName octets are its UTF-8.
    public var name: String
    /// The authoritative snmpEngineID the keys are localized to; nil for the receiver's own engine.
    public var engineID: [UInt8]?
    /// The authentication protocol; nil for a noAuthNoPriv user.
    public var authProtocol: USMAuthProtocol?
    /// The authentication passphrase; required with `authProtocol`.
    public var authPassphrase: USMPassphrase?
    /// The privacy protocol; nil for a user without privacy.
    public var privProtocol: USMPrivProtocol?
    /// The privacy passphrase; required with `privProtocol`.
    public var privPassphrase: USMPassphrase?
    /// Messages below this level are refused (counted as usmStatsUnsupportedSecLevels); nil accepts every level
    /// the user's protocols support.
    public var minimumSecurityLevel: SNMPSecurityLevel?

    /// Creates a user; `validated()` or `USMUserTable` checks it.
    public init(
        name: String, engineID: [UInt8]? = nil, authProtocol: USMAuthProtocol? = nil,
        authPassphrase: USMPassphrase? = nil, privProtocol: USMPrivProtocol? = nil,
        privPassphrase: USMPassphrase? = nil, minimumSecurityLevel: SNMPSecurityLevel? = nil
    ) {
        self.name = name
        self.engineID = engineID
        self.authProtocol = authProtocol
        self.authPassphrase = authPassphrase
        self.privProtocol = privProtocol
        self.privPassphrase = privPassphrase
        self.minimumSecurityLevel = minimumSecurityLevel
    }

    /// The highest security level the user's protocols allow.
    public var highestSecurityLevel: SNMPSecurityLevel {
        authProtocol == nil ? .noAuthNoPriv : privProtocol == nil ? .authNoPriv : .authPriv
    }

    public var description: String {
        var text = "USM user \"\(name)\""
        if let engineID {
            text += " on engine " + engineID.hexString
        }
        text += ", auth " + (authProtocol?.rawValue ?? "none") + ", priv " + (privProtocol?.rawValue ?? "none")
        return text
    }

    /// Checks what RFC 3414 and net-snmp require of a user; the error names the user, never a passphrase.
    public func validate() throws(USMConfigurationError) {
        guard name.utf8.count <= 32 else {
            throw USMConfigurationError(.badIdentifier, "\(self): a user name has at most 32 octets")
        }
        if let engineID, !(5...32).contains(engineID.count) {
            throw USMConfigurationError(
                .badIdentifier, "\(self): an snmpEngineID has 5 to 32 octets, not \(engineID.count)")
        }
        switch (authProtocol, authPassphrase) {
        case (.some, nil):
            throw USMConfigurationError(.inconsistentUser, "\(self): an auth protocol needs an auth passphrase")
        case (nil, .some):
            throw USMConfigurationError(.inconsistentUser, "\(self): an auth passphrase needs an auth protocol")
        case (.some, .some(let passphrase)) where passphrase.count < 8:
            throw USMConfigurationError(.passphraseTooShort, "\(self): the auth passphrase has fewer than 8 octets")
        default:
            break
        }
        switch (privProtocol, privPassphrase) {
        case (.some, nil):
            throw USMConfigurationError(.inconsistentUser, "\(self): a priv protocol needs a priv passphrase")
        case (nil, .some):
            throw USMConfigurationError(.inconsistentUser, "\(self): a priv passphrase needs a priv protocol")
        case (.some, .some(let passphrase)) where passphrase.count < 8:
            throw USMConfigurationError(.passphraseTooShort, "\(self): the priv passphrase has fewer than 8 octets")
        default:
            break
        }
        if privProtocol != nil, authProtocol == nil {
            // RFC 3414 §3.1: privacy without authentication is not a security level.
            throw USMConfigurationError(.inconsistentUser, "\(self): privacy needs an auth protocol too")
        }
        if let minimumSecurityLevel, minimumSecurityLevel > highestSecurityLevel {
            throw USMConfigurationError(
                .inconsistentUser,
                "\(self): minimum security level \(minimumSecurityLevel.rawValue) is above what its protocols allow")
        }
    }
}
