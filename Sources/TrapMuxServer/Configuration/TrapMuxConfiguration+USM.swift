import Foundation
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TOML

extension TrapMuxConfiguration {
    /// SNMPv3 (SPEC §3a): the users trapmux accepts notifications from.
    package struct USMSettings: Sendable, Equatable {
        /// `[[usm.user]]` rows; a user without `engine_id` is localized to trapmux's own engine (informs).
        package var users: [USMUser] = []
    }

    /// trapmux's snmpEngineID: the configured one, else the SPEC's default from the host name (stable across
    /// restarts as long as the host name is).
    package var effectiveEngineID: [UInt8] {
        engineID ?? USMLocalEngine.defaultEngineID(hostName: ProcessInfo.processInfo.hostName)
    }
}

extension KeyReader {
    /// An snmpEngineID written as hex (`"80001f8804..."`, optional `0x`): 5 to 32 octets (RFC 3411).
    package mutating func engineID(_ key: String) throws(ConfigurationError) -> [UInt8]? {
        guard let text = try string(key) else { return nil }
        guard let octets = HexText.octets(text), (5...32).contains(octets.count) else {
            throw error(key, "expected an snmpEngineID of 5 to 32 octets in hex such as \"80001f8804...\", found \"\(text)\"")
        }
        return octets
    }

    /// A USM user from the keys of this table (`[[usm.user]]`, or a `[[relay]]` in v3 mode with `nameKey` "user").
    ///
    /// Keys: `name` (or `nameKey`), `engine_id` (hex; omitted = trapmux's own engine), `auth` (MD5, SHA, SHA-224,
    /// SHA-256, SHA-384, SHA-512), `auth_passphrase` or `auth_passphrase_file`, `priv` (DES, AES, AES-192,
    /// AES-256, AES-192-C, AES-256-C), `priv_passphrase` or `priv_passphrase_file`, `min_security_level`
    /// (noAuthNoPriv, authNoPriv, authPriv). Passphrase files hold the passphrase (a final newline is dropped).
    package mutating func usmUser(
        nameKey: String = "name", withMinimumLevel: Bool = true, holdsPassphrases: inout Bool
    ) throws(ConfigurationError) -> USMUser {
        guard let name = try string(nameKey), !name.isEmpty else {
            throw error(nameKey, "every USM user needs a \(nameKey)")
        }
        var user = USMUser(name: name)
        user.engineID = try engineID("engine_id")
        user.authProtocol = try choice("auth", of: USMAuthProtocol.self)
        user.privProtocol = try choice("priv", of: USMPrivProtocol.self)
        user.authPassphrase = try passphrase("auth_passphrase", holdsPassphrases: &holdsPassphrases)
        user.privPassphrase = try passphrase("priv_passphrase", holdsPassphrases: &holdsPassphrases)
        if withMinimumLevel {
            user.minimumSecurityLevel = try choice("min_security_level", of: SNMPSecurityLevel.self)
        }
        do {
            try user.validate()
        } catch {
            throw self.error(nameKey, error.description)
        }
        return user
    }

    /// `key` written inline, or `key_file` naming a file that holds it; never both.
    private mutating func passphrase(
        _ key: String, holdsPassphrases: inout Bool
    ) throws(ConfigurationError) -> USMPassphrase? {
        let inline = try string(key)
        let path = try string(key + "_file")
        switch (inline, path) {
        case (.some, .some):
            throw error(key + "_file", "give \(key) or \(key)_file, not both")
        case (.some(let text), nil):
            holdsPassphrases = true
            return USMPassphrase(text)
        case (nil, .some(let path)):
            guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8)
            else {
                throw error(key + "_file", "cannot read the passphrase file \(path): \(String(cString: strerror(errno)))")
            }
            if text.hasSuffix("\r\n") {
                text.removeLast(2)
            } else if text.hasSuffix("\n") {
                text.removeLast()
            }
            return USMPassphrase(text)
        case (nil, nil):
            return nil
        }
    }
}
