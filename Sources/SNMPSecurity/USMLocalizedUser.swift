import TrapDecoder

/// A usmUserTable row with its keys localized to one authoritative engine (RFC 3414 §2.6).
///
/// The keys are derived once, when the row is made; the description shows neither them nor the passphrases.
public struct USMLocalizedUser: Hashable, Sendable, CustomStringConvertible, CustomReflectable {
    /// The securityName.
    public let name: String
    /// The msgUserName octets (the name's UTF-8).
    public let nameOctets: [UInt8]
    /// The authoritative snmpEngineID the keys belong to.
    public let engineID: [UInt8]
    /// The authentication protocol; nil for a noAuthNoPriv user.
    public let authProtocol: USMAuthProtocol?
    /// The privacy protocol; nil for a user without privacy.
    public let privProtocol: USMPrivProtocol?
    /// The lowest level accepted from this user.
    public let minimumSecurityLevel: SNMPSecurityLevel
    /// The localized authentication key (Kul, RFC 3414 A.2); empty without authentication.
    let authKey: [UInt8]
    /// The localized privacy key, extended or cut to the privacy protocol's `keyLength`; empty without privacy.
    let privKey: [UInt8]

    /// Derives the keys of `user` for `engineID` (which overrides the user's own engine ID); milliseconds of hashing.
    public init(_ user: USMUser, engineID: [UInt8]) throws(USMConfigurationError) {
        var cache = USMPasswordKeyCache()
        try self.init(user, engineID: engineID, cache: &cache)
    }

    /// Derives the keys, taking password-to-key results from `cache`: a passphrase shared by several engines' users
    /// (the same user on many devices) is stretched once.
    init(_ user: USMUser, engineID: [UInt8], cache: inout USMPasswordKeyCache) throws(USMConfigurationError) {
        var checked = user
        checked.engineID = engineID
        try checked.validate()
        name = user.name
        nameOctets = Array(user.name.utf8)
        self.engineID = engineID
        authProtocol = user.authProtocol
        privProtocol = user.privProtocol
        minimumSecurityLevel = user.minimumSecurityLevel ?? .noAuthNoPriv
        guard let auth = user.authProtocol, let authPassphrase = user.authPassphrase else {
            authKey = []
            privKey = []
            return
        }
        if auth == .sha224, !OpenSSLLegacy.hasSHA224 {
            throw USMConfigurationError(.algorithmUnavailable, "\(checked): OpenSSL provides no SHA-224")
        }
        guard let authPasswordKey = cache.key(authPassphrase, auth),
            let localized = auth.localize(authPasswordKey, engineID: engineID)
        else {
            throw USMConfigurationError(.algorithmUnavailable, "\(checked): the auth key could not be derived")
        }
        authKey = localized
        guard let priv = user.privProtocol, let privPassphrase = user.privPassphrase else {
            privKey = []
            return
        }
        if priv == .des, !OpenSSLLegacy.hasDES {
            throw USMConfigurationError(
                .algorithmUnavailable, "\(checked): DES needs OpenSSL's legacy provider, which could not be loaded")
        }
        guard let privPasswordKey = cache.key(privPassphrase, auth),
            let privLocalized = priv.localizedKey(passwordKey: privPasswordKey, engineID: engineID, auth: auth)
        else {
            throw USMConfigurationError(.algorithmUnavailable, "\(checked): the priv key could not be derived")
        }
        privKey = privLocalized
    }

    /// The highest security level the user's protocols allow.
    public var highestSecurityLevel: SNMPSecurityLevel {
        authProtocol == nil ? .noAuthNoPriv : privProtocol == nil ? .authNoPriv : .authPriv
    }

    /// Whether the user's protocols can protect a message at `level` (RFC 3414 §3.2 step 5).
    public func supports(_ level: SNMPSecurityLevel) -> Bool {
        level <= highestSecurityLevel
    }

    public var description: String {
        "USM user \"\(name)\" on engine \(engineID.hexString), auth \(authProtocol?.rawValue ?? "none"), priv "
            + (privProtocol?.rawValue ?? "none")
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "engineID": engineID.hexString], displayStyle: .struct)
    }
}
