import Foundation
import SNMPSecurity
import Testing
import TrapDecoder

/// Users as configured: protocol names, the checks RFC 3414 and net-snmp make, and passphrases kept out of text.
@Suite("USM configuration")
struct ConfigurationTests {
    @Test(arguments: USMAuthProtocol.allCases)
    func authProtocolParsesFromItsNetSNMPName(_ auth: USMAuthProtocol) throws {
        #expect(try USMAuthProtocol(parsing: auth.rawValue) == auth)
        #expect(try USMAuthProtocol(parsing: auth.rawValue.lowercased()) == auth)
    }

    @Test(arguments: USMPrivProtocol.allCases)
    func privProtocolParsesFromItsNetSNMPName(_ priv: USMPrivProtocol) throws {
        #expect(try USMPrivProtocol(parsing: priv.rawValue) == priv)
    }

    @Test func unknownNamesAreRefusedWithTheAllowedOnes() {
        #expect(performing: { try USMAuthProtocol(parsing: "SHA1") }, throws: { error in
            "\(error)" == "unknown auth protocol \"SHA1\"; allowed: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"
        })
        #expect(performing: { try USMPrivProtocol(parsing: "3DES") }, throws: { error in
            "\(error)".hasSuffix("allowed: DES, AES, AES-192, AES-256, AES-192-C, AES-256-C")
        })
        #expect(performing: { try SNMPSecurityLevel(parsing: "priv") }, throws: { error in
            "\(error)".hasSuffix("allowed: noAuthNoPriv, authNoPriv, authPriv")
        })
    }

    @Test func jsonDecodingNamesTheAllowedProtocols() {
        #expect(performing: { try JSONDecoder().decode([USMPrivProtocol].self, from: Data(#"["AES-128"]"#.utf8)) },
            throws: { error in "\(error)".contains("AES-192-C") })
    }

    static let invalidUsers: [(String, USMUser, USMConfigurationError.Kind)] = [
        ("auth passphrase of 7 octets", USMUser(name: "u", authProtocol: .md5, authPassphrase: "1234567"),
         .passphraseTooShort),
        ("auth protocol without passphrase", USMUser(name: "u", authProtocol: .md5), .inconsistentUser),
        ("privacy without authentication",
         USMUser(name: "u", privProtocol: .aes, privPassphrase: "long-enough-priv"), .inconsistentUser),
        ("minimum level above the protocols",
         USMUser(name: "u", authProtocol: .sha1, authPassphrase: "long-enough", minimumSecurityLevel: .authPriv),
         .inconsistentUser),
        ("engine ID of 4 octets", USMUser(name: "u", engineID: [0x80, 0, 0, 1]), .badIdentifier),
        ("user name of 33 octets", USMUser(name: String(repeating: "x", count: 33)), .badIdentifier),
    ]

    @Test(arguments: invalidUsers)
    func invalidUserIsRefused(_ name: String, _ user: USMUser, _ kind: USMConfigurationError.Kind) {
        #expect(throws: USMConfigurationError(kind, "")) {
            _ = try USMUserTable(users: [user], localEngineID: Fixtures.localEngineID)
        }
    }

    @Test func sameNameTwiceOnOneEngineIsRefused() {
        let user = USMUser(name: "twice", engineID: Fixtures.remoteEngineID)
        #expect(throws: USMConfigurationError(.duplicateUser, "")) {
            _ = try USMUserTable(users: [user, user], localEngineID: Fixtures.localEngineID)
        }
    }

    @Test func buildingKeepsTheValidUsersAndNamesEveryInvalidOne() {
        let users = [USMUser(name: "fine", engineID: Fixtures.remoteEngineID)] + Self.invalidUsers.map(\.1)
        let (table, problems) = USMUserTable.building(users, localEngineID: Fixtures.localEngineID)
        #expect(table.count == 1)
        #expect(problems.map(\.kind) == Self.invalidUsers.map(\.2))
    }

    @Test func passphrasesNeverShowInDescriptionsDumpsOrErrors() throws {
        let user = USMUser(
            name: "quiet", engineID: Fixtures.remoteEngineID, authProtocol: .sha256,
            authPassphrase: "auth-secret-1234", privProtocol: .aes256, privPassphrase: "priv-secret-5678")
        let localized = try USMLocalizedUser(user, engineID: Fixtures.remoteEngineID)
        var dumps = ""
        dump(user, to: &dumps)
        dump(localized, to: &dumps)
        var short = user
        short.authPassphrase = "auth-x"
        let texts = [
            "\(user)", "\(localized)", String(describing: user), String(reflecting: user),
            String(reflecting: localized),
            dumps, "\(user.authPassphrase!)", String(reflecting: user.privPassphrase),
        ]
        for text in texts {
            #expect(!text.contains("auth-secret-1234") && !text.contains("priv-secret-5678"), "\(text)")
            #expect(!text.contains("auth-x"), "\(text)")
        }
        do {
            _ = try USMUserTable(users: [short], localEngineID: Fixtures.localEngineID)
            Issue.record("a 6-octet passphrase was accepted")
        } catch {
            #expect(!"\(error)".contains("auth-x"))
        }
    }

    @Test func defaultEngineIDIsTheTextFormatOfTrapmuxAndTheHostName() {
        #expect(USMLocalEngine.defaultEngineID(hostName: "rx") == hex("80001f8804747261706d75782d7278"))
        #expect(USMLocalEngine.defaultEngineID(hostName: String(repeating: "h", count: 64)).count == 32)
    }
}
