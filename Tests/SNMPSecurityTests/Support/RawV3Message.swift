@testable import SNMPSecurity
import TrapDecoder

/// An SNMPv3 message assembled field by field, so a test can give any field a value the builder never writes.
struct RawV3Message {
    enum Data {
        case plaintext(USMScopedPDU)
        case encrypted([UInt8])
    }

    var messageID: Int32 = 4242
    var flags: UInt8
    var securityModel: Int32 = 3
    var engineID: [UInt8]
    var boots: Int32
    var time: Int32
    var userName: [UInt8]
    var authParameters: [UInt8] = []
    var privParameters: [UInt8] = []
    var data: Data

    func encoded() -> [UInt8] {
        var writer = BERWriter()
        writer.constructed(BERTag.sequence) { message in
            message.integer(3)
            message.constructed(BERTag.sequence) { global in
                global.integer(Int64(messageID))
                global.integer(65507)
                global.primitive(BERTag.octetString, [flags])
                global.integer(Int64(securityModel))
            }
            var parameters = BERWriter()
            parameters.constructed(BERTag.sequence) { usm in
                usm.primitive(BERTag.octetString, engineID)
                usm.integer(Int64(boots))
                usm.integer(Int64(time))
                usm.primitive(BERTag.octetString, userName)
                usm.primitive(BERTag.octetString, authParameters)
                usm.primitive(BERTag.octetString, privParameters)
            }
            message.primitive(BERTag.octetString, parameters.bytes)
            switch data {
            case .plaintext(let scoped): scoped.write(into: &message)
            case .encrypted(let ciphertext): message.primitive(BERTag.octetString, ciphertext)
            }
        }
        return writer.bytes
    }

    /// `scoped` encrypted for `user` with `salt`, DES input padded to whole blocks.
    static func encrypt(
        _ scoped: USMScopedPDU, for user: USMLocalizedUser, salt: [UInt8], boots: Int32, time: Int32
    ) -> [UInt8] {
        let priv = user.privProtocol!
        var plaintext = scoped.encoded()
        if priv == .des {
            plaintext += repeatElement(0, count: (8 - plaintext.count % 8) % 8)
        }
        return priv.crypt(encrypt: true, plaintext[...], key: user.privKey, salt: salt, boots: boots, time: time)!
    }
}
