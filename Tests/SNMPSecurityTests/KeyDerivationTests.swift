@testable import SNMPSecurity
import Testing

/// Password-to-key, localization and AES key extension (RFC 3414 A.2/A.3, RFC 7860 §4, draft-blumenthal-aes-usm-04,
/// draft-reeder-snmpv3-usm-3desede-00).
///
/// Vectors: password "maplesyrup", engine 000000000000000000000002, copied from
/// shared/corpus/public-v3/key-vectors.json.
/// MD5 and SHA are RFC 3414 A.3.1 and A.3.2; the SHA-2 and extension values were computed by the corpus authors and
/// cross-checked against pysnmp 7.1.30.
@Suite("USM key derivation")
struct KeyDerivationTests {
    static let password = Array("maplesyrup".utf8)
    static let engineID = hex("000000000000000000000002")

    static let passwordToKey: [(USMAuthProtocol, String, String)] = [
        // RFC 3414 A.3.1 (verified equal to usm_ref output)
        (.md5,
         "9faf3283884e92834ebc9847d8edd963",
         "526f5eed9fcce26f8964c2930787d82b"),
        // RFC 3414 A.3.2 (verified equal to usm_ref output)
        (.sha1,
         "9fb5cc0381497b3793528939ff788d5d79145211",
         "6695febc9288e36282235fc7151f128497b38f3f"),
        // self-computed (usm_ref.py), equal to pysnmp localkey
        (.sha224,
         "282a5867ee9aac639ad59df9572c7d3ac0fbc13a905b6df07dbbf00b",
         "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674"),
        // self-computed (usm_ref.py), equal to pysnmp localkey
        (.sha256,
         "ab51014d1e077f6017df2b12bee5f5aa72993177e9bb569c4dff5a4ca0b4afac",
         "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
        // self-computed (usm_ref.py), equal to pysnmp localkey
        (.sha384,
         "e06eccdf2c68a06ed034723c9c26e0db3b669e1e2efed49150b55377a2e98f383c86fb836857444654b287c93f51ff64",
         "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3f7e2b4f36eb6f0455a53689a3937eea07319a633d2ccba78"),
        // self-computed (usm_ref.py), equal to pysnmp localkey
        (.sha512,
         "7e4396de5aadc77be853819b98c9406265b3a9c37cc3176569847a4e4f6fba63"
             + "dd3a73d04924d31a63f95a601f9385af6be4ed1b37f87d040f7c6ed6f8d38a91",
         "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099"
             + "ad1ea87a8db096714d9788bd544047c9021e4229ce27e4c0a69250adfcffbb0b"),
    ]

    @Test(arguments: passwordToKey)
    func passwordToKeyAndLocalizationGiveThePublishedKeys(_ auth: USMAuthProtocol, _ ku: String, _ kul: String) throws {
        let key = try #require(auth.passwordToKey(Self.password))
        #expect(key == hex(ku))
        #expect(auth.localize(key, engineID: Self.engineID) == hex(kul))
    }

    /// (auth hash, priv protocol, localized priv key): extension only where the hash is shorter than the AES key.
    static let privacyKeys: [(USMAuthProtocol, USMPrivProtocol, String)] = [
        (.md5, .des, "526f5eed9fcce26f8964c2930787d82b"),
        (.md5, .aes, "526f5eed9fcce26f8964c2930787d82b"),
        (.md5, .aes192, "526f5eed9fcce26f8964c2930787d82bfa24a92467426c2f"),
        (.md5, .aes256, "526f5eed9fcce26f8964c2930787d82bfa24a92467426c2f4b09192be10dfaec"),
        (.md5, .aes192Reeder, "526f5eed9fcce26f8964c2930787d82b79eff44a90650ee0"),
        (.md5, .aes256Reeder, "526f5eed9fcce26f8964c2930787d82b79eff44a90650ee0a3a40abfac5acc12"),
        (.sha1, .des, "6695febc9288e36282235fc7151f1284"),
        (.sha1, .aes, "6695febc9288e36282235fc7151f1284"),
        (.sha1, .aes192, "6695febc9288e36282235fc7151f128497b38f3f505e07eb"),
        (.sha1, .aes256, "6695febc9288e36282235fc7151f128497b38f3f505e07eb9af25568fa1f5dbe"),
        (.sha1, .aes192Reeder, "6695febc9288e36282235fc7151f128497b38f3f9b8b6d78"),
        (.sha1, .aes256Reeder, "6695febc9288e36282235fc7151f128497b38f3f9b8b6d78936ba6e7d19dfd9c"),
        (.sha224, .des, "0bd8827c6e29f8065e08e09237f177e4"),
        (.sha224, .aes, "0bd8827c6e29f8065e08e09237f177e4"),
        (.sha224, .aes192, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be6"),
        (.sha224, .aes256, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674e82d9bf0"),
        (.sha224, .aes192Reeder, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be6"),
        (.sha224, .aes256Reeder, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be68207567422c34be4"),
        (.sha256, .des, "8982e0e549e866db361a6b625d84cccc"),
        (.sha256, .aes, "8982e0e549e866db361a6b625d84cccc"),
        (.sha256, .aes192, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a"),
        (.sha256, .aes256, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
        (.sha256, .aes192Reeder, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a"),
        (.sha256, .aes256Reeder, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
    ]

    @Test(arguments: privacyKeys)
    func privacyKeyIsCutOrExtendedToTheCiphersKeyLength(
        _ auth: USMAuthProtocol, _ priv: USMPrivProtocol, _ expected: String
    ) throws {
        let user = USMUser(
            name: "vector", authProtocol: auth, authPassphrase: "maplesyrup", privProtocol: priv,
            privPassphrase: "maplesyrup")
        let localized = try USMLocalizedUser(user, engineID: Self.engineID)
        #expect(localized.privKey == hex(expected))
        #expect(localized.privKey.count == priv.keyLength)
    }

    @Test func authKeyIsLocalizedToTheUsersEngine() throws {
        let user = USMUser(name: "vector", authProtocol: .md5, authPassphrase: "maplesyrup")
        let localized = try USMLocalizedUser(user, engineID: Self.engineID)
        // RFC 3414 A.3.1
        #expect(localized.authKey == hex("526f5eed9fcce26f8964c2930787d82b"))
    }

    @Test func sameUserNameOnTwoEnginesHasTwoKeys() throws {
        let other = hex("80000a4c01c000020a")
        let twin = USMUser(name: "twin", authProtocol: .sha512, authPassphrase: "maplesyrup")
        var onFirst = twin
        onFirst.engineID = Self.engineID
        var onSecond = twin
        onSecond.engineID = other
        let table = try USMUserTable(users: [onFirst, onSecond], localEngineID: hex("8000000001"))
        let first = try #require(table.user(engineID: Self.engineID, name: Array("twin".utf8)))
        let second = try #require(table.user(engineID: other, name: Array("twin".utf8)))
        #expect(first.authKey != second.authKey)
        #expect(table.count == 2)
    }

    @Test func userWithoutEngineIDIsLocalizedToTheReceiversEngine() throws {
        let local = hex("80001f8804747261706d75782d7278")
        let table = try USMUserTable(
            users: [USMUser(name: "inform", authProtocol: .sha1, authPassphrase: "maplesyrup")], localEngineID: local)
        #expect(table.user(engineID: local, name: Array("inform".utf8)) != nil)
        #expect(table.hasUsers(onEngine: local))
    }
}
