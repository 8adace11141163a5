import TrapDecoder

extension USMLocalizedUser {
    /// RFC 3414 §6.3.1 and §7.3.1 (authenticateOutgoingMsg; RFC 7860 §4.2.1 for SHA-2): writes the HMAC of `message`
    /// into its msgAuthenticationParameters, which must hold `macLength` octets (their value does not matter: the
    /// HMAC is computed with them zeroed). Throws when the user has no auth protocol, the message is not SNMPv3 with
    /// USM parameters, or the field has another length.
    public func authenticateOutgoingMessage(_ message: inout [UInt8]) throws(USMConfigurationError) {
        guard let auth = authProtocol else {
            throw USMConfigurationError(.inconsistentUser, "\(self) has no auth protocol to authenticate with")
        }
        // Reading the message back finds the field without offset arithmetic.
        guard let parameters = try? SNMPv3Envelope(decoding: message[...]).header.usm?.authenticationParameters,
            parameters.count == auth.macLength
        else {
            throw USMConfigurationError(
                .inconsistentUser, "\(self): the message has no \(auth.macLength)-octet msgAuthenticationParameters")
        }
        let field = parameters.indices
        message.replaceSubrange(field, with: repeatElement(0, count: field.count))
        guard let mac = auth.mac(key: authKey, data: message) else {
            throw USMConfigurationError(.algorithmUnavailable, "\(self): \(auth.rawValue) HMAC failed")
        }
        message.replaceSubrange(field, with: mac)
    }

    /// RFC 3414 §8.1.1.1 and RFC 3826 §3.1.3 (encryptData): the encryptedPDU of `scopedPDU` under the privacy key,
    /// with `salt` (the message's 8-octet msgPrivacyParameters) and its engine boots and time. DES pads the plaintext
    /// to whole 8-octet blocks first (the pad's value does not matter, RFC 3414 §8.1.1.2).
    public func encryptData(
        _ scopedPDU: [UInt8], salt: [UInt8], engineBoots: Int32, engineTime: Int32
    ) throws(USMConfigurationError) -> [UInt8] {
        guard let priv = privProtocol else {
            throw USMConfigurationError(.inconsistentUser, "\(self) has no priv protocol to encrypt with")
        }
        let padding = priv == .des ? (8 - scopedPDU.count % 8) % 8 : 0
        guard
            let ciphertext = priv.crypt(
                encrypt: true, (scopedPDU + repeatElement(0, count: padding))[...], key: privKey, salt: salt,
                boots: engineBoots, time: engineTime)
        else {
            throw USMConfigurationError(.algorithmUnavailable, "\(self): \(priv.rawValue) encryption failed")
        }
        return ciphertext
    }
}
