extension USMPrivProtocol {
    /// The privacy key for `engineID`: the priv passphrase's Ku localized with the auth protocol's hash (RFC 3414
    /// §2.6, RFC 3826 §1.2), cut to `keyLength`, or first extended when the hash is shorter than the key.
    ///
    /// Extension happens only for AES-192/256 with a hash shorter than the key (MD5, SHA-1, SHA-224 with AES-256).
    func localizedKey(passwordKey: [UInt8], engineID: [UInt8], auth: USMAuthProtocol) -> [UInt8]? {
        guard var key = auth.localize(passwordKey, engineID: engineID) else { return nil }
        var lastPart = key
        while key.count < keyLength {
            switch keyExtension {
            case .blumenthal?, nil:
                // Kul ‖ H(Kul) ‖ H(Kul ‖ H(Kul)) …: each step hashes the key so far.
                guard let next = auth.hash(key) else { return nil }
                lastPart = next
            case .reeder?:
                // K2 = localize(password_to_key(K1)): the previous part taken as a password.
                guard let stretched = auth.passwordToKey(lastPart),
                    let next = auth.localize(stretched, engineID: engineID)
                else { return nil }
                lastPart = next
            }
            key += lastPart
        }
        return Array(key.prefix(keyLength))
    }
}
