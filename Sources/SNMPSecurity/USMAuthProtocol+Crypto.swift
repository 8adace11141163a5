import Crypto

extension USMAuthProtocol {
    /// The protocol's hash of `data`; nil only when OpenSSL cannot provide SHA-224.
    func hash(_ data: [UInt8]) -> [UInt8]? {
        switch self {
        case .md5: return Array(Insecure.MD5.hash(data: data))
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha224: return OpenSSLLegacy.sha224(data)
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha384: return Array(SHA384.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }

    /// The HMAC of `data` under `key`, truncated to `macLength` (RFC 3414 §6.3.1, §7.3.1; RFC 7860 §4.2.1); nil only
    /// when OpenSSL cannot provide HMAC-SHA-224.
    func mac(key: [UInt8], data: [UInt8]) -> [UInt8]? {
        let full: [UInt8]?
        let symmetricKey = SymmetricKey(data: key)
        switch self {
        case .md5: full = Array(HMAC<Insecure.MD5>.authenticationCode(for: data, using: symmetricKey))
        case .sha1: full = Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: symmetricKey))
        case .sha224: full = OpenSSLLegacy.hmacSHA224(key: key, data: data)
        case .sha256: full = Array(HMAC<SHA256>.authenticationCode(for: data, using: symmetricKey))
        case .sha384: full = Array(HMAC<SHA384>.authenticationCode(for: data, using: symmetricKey))
        case .sha512: full = Array(HMAC<SHA512>.authenticationCode(for: data, using: symmetricKey))
        }
        return full.map { Array($0.prefix(macLength)) }
    }

    /// Password-to-key (RFC 3414 A.2.1/A.2.2, RFC 7860 §4.1): the hash of 1,048,576 octets of the password repeated.
    /// Nil for an empty password, or when the hash is unavailable.
    func passwordToKey(_ password: [UInt8]) -> [UInt8]? {
        guard !password.isEmpty else { return nil }
        // The megabyte is built by doubling (a few block copies) and hashed at once: simpler than feeding 64-octet
        // blocks, and fast even in debug builds. Derivation happens once per user and engine, never per message.
        let total = 1_048_576
        var stretched = password
        stretched.reserveCapacity(total + password.count)
        while stretched.count < total {
            stretched.append(contentsOf: stretched)
        }
        stretched.removeLast(stretched.count - total)
        return hash(stretched)
    }

    /// Key localization (RFC 3414 A.2): Kul = H(Ku ‖ snmpEngineID ‖ Ku).
    func localize(_ key: [UInt8], engineID: [UInt8]) -> [UInt8]? {
        hash(key + engineID + key)
    }
}
