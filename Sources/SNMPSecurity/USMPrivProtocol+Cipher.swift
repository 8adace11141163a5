import Crypto
import _CryptoExtras

extension USMPrivProtocol {
    /// Encrypts or decrypts a scopedPDU with the localized privacy `key` and the message's 8-octet `salt`
    /// (msgPrivacyParameters); nil when the cipher fails or, for DES, the input is not whole 8-octet blocks.
    ///
    /// DES-CBC (RFC 3414 §8.1.1): key = the first 8 octets, IV = the last 8 (pre-IV) XOR salt. AES-CFB128
    /// (RFC 3826 §3.1.2.1): IV = msgAuthoritativeEngineBoots ‖ msgAuthoritativeEngineTime ‖ salt, no padding.
    func crypt(
        encrypt: Bool, _ input: ArraySlice<UInt8>, key: [UInt8], salt: some Collection<UInt8>, boots: Int32,
        time: Int32
    ) -> [UInt8]? {
        guard salt.count == 8, key.count == keyLength else { return nil }
        switch self {
        case .des:
            let iv = zip(key[8..<16], salt).map { $0 ^ $1 }
            return OpenSSLLegacy.desCBC(encrypt: encrypt, key: Array(key[0..<8]), iv: iv, input: input)
        case .aes, .aes192, .aes256, .aes192Reeder, .aes256Reeder:
            let iv = Self.bigEndian(boots) + Self.bigEndian(time) + Array(salt)
            do {
                let symmetricKey = SymmetricKey(data: key)
                let cfbIV = try AES._CFB.IV(ivBytes: iv)
                let output =
                    encrypt
                    ? try AES._CFB.encrypt(input, using: symmetricKey, iv: cfbIV)
                    : try AES._CFB.decrypt(input, using: symmetricKey, iv: cfbIV)
                return Array(output)
            } catch {
                return nil
            }
        }
    }

    private static func bigEndian(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(bits >> 24), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 8),
            UInt8(truncatingIfNeeded: bits)]
    }
}
