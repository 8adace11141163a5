/// Password-to-key results during one table build, so a passphrase used on several engines is stretched once.
struct USMPasswordKeyCache {
    private struct Key: Hashable {
        let passphrase: USMPassphrase
        let auth: USMAuthProtocol
    }

    private var keys: [Key: [UInt8]] = [:]

    /// Ku for `passphrase` under `auth`'s hash (RFC 3414 A.2).
    mutating func key(_ passphrase: USMPassphrase, _ auth: USMAuthProtocol) -> [UInt8]? {
        let cacheKey = Key(passphrase: passphrase, auth: auth)
        if let known = keys[cacheKey] {
            return known
        }
        let derived = auth.passwordToKey(passphrase.octets)
        keys[cacheKey] = derived
        return derived
    }
}
