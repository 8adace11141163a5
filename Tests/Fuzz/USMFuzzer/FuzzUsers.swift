import SNMPSecurity
import TrapDecoder

/// The fuzzer's usmUserTable: the users of the public SNMPv3 corpus (`../shared/corpus/public-v3/users.json`, copied
/// here so that the corpus captures, the seeds, pass authentication), which cover every auth and priv protocol and
/// both AES key extensions, on three trap senders' engines and the receiver's own; plus one user whose minimum level
/// is authPriv.
enum FuzzUsers {
    /// The receiver's own snmpEngineID ("trapmux-rx"): informs are addressed to it.
    static let localEngineID = hex("80001f8804747261706d75782d7278")

    static let users: [USMUser] = [
        USMUser(name: "pub-noauth", engineID: hex("80001f88803a7c51e9b2046d8f")),
        USMUser(
            name: "pub-md5", engineID: hex("80000a4c01c000020a"), authProtocol: .md5,
            authPassphrase: "pv3-md5-auth-Kq81"),
        USMUser(
            name: "pub-sha1", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .sha1,
            authPassphrase: "pv3-sha1-auth-Lw27"),
        USMUser(
            name: "pub-sha224", engineID: hex("000000000000000000000002"), authProtocol: .sha224,
            authPassphrase: "pv3-sha224-auth-Mx63"),
        USMUser(
            name: "pub-sha256", engineID: hex("80000a4c01c000020a"), authProtocol: .sha256,
            authPassphrase: "pv3-sha256-auth-Nz45"),
        USMUser(
            name: "pub-sha384", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .sha384,
            authPassphrase: "pv3-sha384-auth-Pb19"),
        USMUser(
            name: "pub-md5-des", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .md5,
            authPassphrase: "pv3-md5des-auth-Qc72", privProtocol: .des, privPassphrase: "pv3-md5des-priv-Rd38"),
        USMUser(
            name: "pub-sha512-des", engineID: hex("000000000000000000000002"), authProtocol: .sha512,
            authPassphrase: "pv3-sha512des-auth-Se04", privProtocol: .des, privPassphrase: "pv3-sha512des-priv-Tf56"),
        USMUser(
            name: "pub-sha256-aes", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .sha256,
            authPassphrase: "pv3-sha256aes-auth-Ug91", privProtocol: .aes, privPassphrase: "pv3-sha256aes-priv-Vh23"),
        USMUser(
            name: "pub-sha1-aes192", engineID: hex("80000a4c01c000020a"), authProtocol: .sha1,
            authPassphrase: "pv3-sha1aes192-auth-Wj67", privProtocol: .aes192,
            privPassphrase: "pv3-sha1aes192-priv-Xk05"),
        USMUser(
            name: "pub-md5-aes256", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .md5,
            authPassphrase: "pv3-md5aes256-auth-Ym48", privProtocol: .aes256,
            privPassphrase: "pv3-md5aes256-priv-Zn12"),
        USMUser(
            name: "pub-sha224-aes256", engineID: hex("80000a4c01c000020a"), authProtocol: .sha224,
            authPassphrase: "pv3-sha224aes256-auth-Ap74", privProtocol: .aes256,
            privPassphrase: "pv3-sha224aes256-priv-Bq30"),
        USMUser(
            name: "pub-md5-aes192c", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .md5,
            authPassphrase: "pv3-md5aes192c-auth-Cr86", privProtocol: .aes192Reeder,
            privPassphrase: "pv3-md5aes192c-priv-Ds52"),
        USMUser(
            name: "pub-sha1-aes256c", engineID: hex("80000a4c01c000020a"), authProtocol: .sha1,
            authPassphrase: "pv3-sha1aes256c-auth-Et09", privProtocol: .aes256Reeder,
            privPassphrase: "pv3-sha1aes256c-priv-Fu61"),
        USMUser(
            name: "pub-twin", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .sha512,
            authPassphrase: "pv3-twin-auth-Gv35", privProtocol: .aes256, privPassphrase: "pv3-twin-priv-Hw88"),
        USMUser(
            name: "pub-twin", engineID: hex("80000a4c01c000020a"), authProtocol: .sha512,
            authPassphrase: "pv3-twin-auth-Gv35", privProtocol: .aes256, privPassphrase: "pv3-twin-priv-Hw88"),
        USMUser(name: "pub-inf-noauth", engineID: hex("80001f8804747261706d75782d7278")),
        USMUser(
            name: "pub-inf-sha384", engineID: hex("80001f8804747261706d75782d7278"), authProtocol: .sha384,
            authPassphrase: "pv3-inf-sha384-auth-Jx27"),
        USMUser(
            name: "pub-inf-md5-aes192", engineID: hex("80001f8804747261706d75782d7278"), authProtocol: .md5,
            authPassphrase: "pv3-inf-md5aes192-auth-Ky93", privProtocol: .aes192,
            privPassphrase: "pv3-inf-md5aes192-priv-Lz40"),
        USMUser(
            name: "pub-inf-sha224-aes256c", engineID: hex("80001f8804747261706d75782d7278"), authProtocol: .sha224,
            authPassphrase: "pv3-inf-sha224aes256c-auth-Ma16", privProtocol: .aes256Reeder,
            privPassphrase: "pv3-inf-sha224aes256c-priv-Nb58"),
        USMUser(
            name: "fuzz-strict", engineID: hex("80001f88803a7c51e9b2046d8f"), authProtocol: .sha256,
            authPassphrase: "fuzz-strict-auth", privProtocol: .des, privPassphrase: "fuzz-strict-priv",
            minimumSecurityLevel: .authPriv),
    ]

    /// Keys derived once for the whole run.
    static let table: USMUserTable = {
        do {
            return try USMUserTable(users: users, localEngineID: localEngineID)
        } catch {
            fatalError("fuzz users: \(error)")
        }
    }()

    /// The table's rows in a fixed order (the table's own order changes from process to process), so an input picks
    /// the same user in every run.
    static let rows: [USMLocalizedUser] = users.compactMap { user in
        table.user(engineID: user.engineID ?? localEngineID, name: Array(user.name.utf8))
    }

    static func hex(_ text: String) -> [UInt8] {
        var octets: [UInt8] = []
        var digits = text.utf8.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            octets.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return octets
    }
}
