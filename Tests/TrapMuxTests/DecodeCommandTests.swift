import Foundation
import Testing
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// `trapmux decode FILE|- [--json]` (SPEC §10): exit 0 decoded, 1 not a valid notification or an unreadable datagram,
/// 2 an invalid users file.
@Suite("trapmux decode")
struct DecodeCommandTests {
    @Test func printsTheSPECOperatorTextForTheSPECExample() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("linkdown.bin", Datagrams.v1LinkDown)
        // SPEC §5 shows OIDs dotted, as trapmux prints them without MIB names.
        let result = try await TrapMuxBinary.run(["decode", "--no-mibs", file.path])
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout == Datagrams.v1LinkDownText + "\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func jsonCarriesTheCorpusSchemaFields() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("linkdown.bin", Datagrams.v1LinkDown)
        let result = try await TrapMuxBinary.run(["decode", "--json", file.path])
        #expect(result.exited(0), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(object["version"] as? String == "1")
        #expect(object["community_hex"] as? String == "7075626c6963")
        #expect(object["pdu_type"] as? String == "trap-v1")
        #expect(object["enterprise"] as? String == "1.3.6.1.4.1.8072.3.2.10")
        #expect(object["agent_addr"] as? String == "192.0.2.7")
        #expect(object["generic_trap"] as? Int == 2)
        #expect(object["time_stamp"] as? Int == 4242)
        let varbinds = try #require(object["varbinds"] as? [[String: Any]])
        #expect(varbinds.count == 1)
        #expect(varbinds.first?["oid"] as? String == "1.3.6.1.2.1.2.2.1.1.2")
        #expect(varbinds.first?["type"] as? String == "Integer")
        #expect(varbinds.first?["value"] as? Int == 2)
    }

    @Test(arguments: [["decode"], ["decode", "--json"]])
    func missingFileIsARuntimeFailureWithOneLineOnStderr(_ command: [String]) async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
            "trapmux-no-such-\(UUID().uuidString).bin")
        let result = try await TrapMuxBinary.run(command + [missing.path])
        #expect(result.exited(1), "\(result)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(missing.path))
        #expect(result.stdout.isEmpty)
    }

    @Test func directoryInsteadOfAFileIsARuntimeFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await TrapMuxBinary.run(["decode", directory.url.path])
        #expect(result.exited(1), "\(result)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
    }

    /// `trapmux decode - < /dev/zero` once grew to gigabytes: input is read up to a bound, then refused.
    @Test(.timeLimit(.minutes(1)))
    func endlessStandardInputIsRefusedAfterABoundedRead() async throws {
        let binary = try TrapMuxBinary.url().path
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", #"exec "$0" decode --no-mibs - < /dev/zero"#, binary],
            timeout: .seconds(20))
        #expect(result.exited(1), "\(result)")
        #expect(result.stderr.contains("standard input is longer than 262144 bytes; expected one datagram"), "\(result)")
    }

    @Test func aDeviceIsNamedAsSuchNotAsAPermissionProblem() async throws {
        let result = try await TrapMuxBinary.run(["decode", "--no-mibs", "/dev/zero"])
        #expect(result.exited(1), "\(result)")
        #expect(result.stderr.contains("/dev/zero: it is a character device"), "\(result)")
    }

    @Test func aFileLongerThanAnyDatagramIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("big.bin", [UInt8](repeating: 0xAA, count: 70_000))
        let result = try await TrapMuxBinary.run(["decode", "--no-mibs", file.path])
        #expect(result.exited(1), "\(result)")
        #expect(result.stderr.contains("holds more than 65535 bytes"), "\(result)")
    }

    static let malformed: [(String, [UInt8], String, Int)] = [
        // … 02 01 02 | 00: one octet after the message
        ("trailing octet", Datagrams.v1LinkDown + [0x00], "trailingBytes", 62),
        // 30 3c 02 01 00 04 06 70: cut inside the community
        ("truncated", Array(Datagrams.v1LinkDown.prefix(8)), "truncated", 0),
        // … a0 2f …: a GetRequest-PDU
        ("GetRequest", Datagrams.getRequest, "notANotification", 13),
        // 02 01 01 … a4 2f …: a Trap-PDU in an SNMPv2c message
        ("v1 Trap-PDU in v2c", Datagrams.trapV1InV2c, "unexpectedTag", 13),
    ]

    @Test(arguments: malformed)
    func malformedDatagramExitsOneWithAJSONError(
        _ name: String, _ datagram: [UInt8], _ kind: String, _ offset: Int
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("bad.bin", datagram)
        let result = try await TrapMuxBinary.run(["decode", "--json", file.path])
        #expect(result.exited(1), "\(result)")
        // {"error":{"kind":"…","offset":N,"message":"…"}} and nothing else
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(Set(object.keys) == ["error"])
        let error = try #require(object["error"] as? [String: Any])
        #expect(Set(error.keys) == ["kind", "offset", "message"])
        #expect(error["kind"] as? String == kind)
        #expect(error["offset"] as? Int == offset)
        #expect((error["message"] as? String)?.isEmpty == false)
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test func malformedDatagramWithoutJSONExitsOneWithTheErrorOnStderr() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("bad.bin", Datagrams.getRequest)
        let result = try await TrapMuxBinary.run(["decode", file.path])
        #expect(result.exited(1), "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("notANotification at offset 13"))
    }

    /// Hex text as people paste it: upper and lower case, spaces, tabs, line breaks, a final newline.
    static func hexText(_ bytes: [UInt8]) -> [UInt8] {
        var text = ""
        for (index, octet) in bytes.enumerated() {
            let digits = (octet < 0x10 ? "0" : "") + String(octet, radix: 16, uppercase: index % 3 == 0)
            text += digits + (index % 16 == 15 ? "\n" : index % 4 == 3 ? "\t" : " ")
        }
        return Array((text + "\r\n").utf8)
    }

    @Test(arguments: [[String](), ["--json"]])
    func hexTextDecodesTheSameAsRawOctets(_ flags: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let raw = try directory.file("linkdown.bin", Datagrams.v1LinkDown)
        let hex = try directory.file("linkdown.hex", Self.hexText(Datagrams.v1LinkDown))
        let fromRaw = try await TrapMuxBinary.run(["decode"] + flags + [raw.path])
        let fromHex = try await TrapMuxBinary.run(["decode"] + flags + [hex.path])
        let fromStandardInput = try await TrapMuxBinary.run(
            ["decode"] + flags + ["-"], standardInput: .bytes(Self.hexText(Datagrams.v1LinkDown)))
        #expect(fromRaw.exited(0), "\(fromRaw)")
        #expect(fromHex.exited(0), "\(fromHex)")
        #expect(fromStandardInput.exited(0), "\(fromStandardInput)")
        #expect(!fromRaw.stdout.isEmpty)
        #expect(fromHex.stdout == fromRaw.stdout)
        #expect(fromStandardInput.stdout == fromRaw.stdout)
    }

    @Test func rawOctetsOnStandardInputDecode() async throws {
        let result = try await TrapMuxBinary.run(
            ["decode", "--no-mibs", "-"], standardInput: .bytes(Datagrams.v1LinkDown))
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout == Datagrams.v1LinkDownText + "\n")
    }

    // MARK: SNMPv3 with --usm-users

    static let v3Users = PackagePaths.publicV3Corpus.appendingPathComponent("users.json").path
    static let receiverEngineID = "80001f8804747261706d75782d7278"

    static func v3File(_ name: String) -> String {
        PackagePaths.publicV3Corpus.appendingPathComponent(name).path
    }

    @Test func v3OperatorTextNamesTheUserAfterDecryption() async throws {
        let result = try await TrapMuxBinary.run([
            "decode", "--no-mibs", "--usm-users", Self.v3Users, "--engine-id", Self.receiverEngineID,
            Self.v3File("valid/trap-pub-md5-des-simple.bin"),
        ])
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout.contains("SNMP-Trap-Multiplexer trapmux, Version: 3, User: pub-md5-des Enterprise: "))
        #expect(result.stdout.contains("value=public-v3 pub-md5-des"))
    }

    @Test func v3JSONCarriesUserLevelAndContext() async throws {
        let result = try await TrapMuxBinary.run([
            "decode", "--json", "--no-mibs", "--usm-users", Self.v3Users, "--engine-id", Self.receiverEngineID,
            Self.v3File("valid/inform-pub-inf-sha384.bin"),
        ])
        #expect(result.exited(0), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        #expect(object["version"] as? String == "3")
        #expect(object["user"] as? String == "pub-inf-sha384")
        #expect(object["security_level"] as? String == "authNoPriv")
        #expect(object["context_name"] as? String == "vrf-red")
        #expect(object["pdu_type"] as? String == "inform")
    }

    @Test func usmRefusalPrintsItsCounterAsTheErrorKindAndExitsOne() async throws {
        let result = try await TrapMuxBinary.run([
            "decode", "--json", "--no-mibs", "--usm-users", Self.v3Users, "--engine-id", Self.receiverEngineID,
            Self.v3File("negative/neg-unknown-user.bin"),
        ])
        #expect(result.exited(1), "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["kind"] as? String == "usmStatsUnknownUserNames")
        #expect(error["offset"] as? Int == 50)
    }

    @Test func receiverStateSetsTheRemoteEnginesClock() async throws {
        // 151 s behind the notion of engine 80001f88803a7c51e9b2046d8f is outside; without the notion, inside.
        let file = Self.v3File("negative/neg-notInTimeWindow-151s-older.bin")
        let base = ["decode", "--json", "--no-mibs", "--usm-users", Self.v3Users]
        let withState = try await TrapMuxBinary.run(
            base + ["--receiver-state", "80001f88803a7c51e9b2046d8f,7,2592000,remote", file])
        #expect(withState.exited(1), "\(withState)")
        #expect(withState.stdout.contains("\"kind\":\"usmStatsNotInTimeWindows\""))
        let fresh = try await TrapMuxBinary.run(base + [file])
        #expect(fresh.exited(0), "\(fresh)")
    }

    @Test(arguments: ["80001f88803a7c51e9b2046d8f,7,2592000", "zz,1,2,remote", "80001f88803a7c51e9b2046d8f,-1,0,remote",
        "80001f88803a7c51e9b2046d8f,1,2,sideways"])
    func malformedReceiverStateIsAUsageError(_ state: String) async throws {
        let result = try await TrapMuxBinary.run([
            "decode", "--usm-users", Self.v3Users, "--receiver-state", state,
            Self.v3File("valid/trap-pub-md5-des-simple.bin"),
        ])
        #expect(result.exited(64), "\(result)")
    }

    @Test func unreadableUsersFileExitsTwo() async throws {
        let result = try await TrapMuxBinary.run([
            "decode", "--usm-users", "/nonexistent/users.json", Self.v3File("valid/trap-pub-md5-des-simple.bin"),
        ])
        #expect(result.exited(2), "\(result)")
        #expect(result.stderr.contains("/nonexistent/users.json"))
    }

    @Test func unknownProtocolNameInTheUsersFileListsTheAllowedNames() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let users = try directory.file(
            "users.json",
            Array(#"[{"user_name": "u", "auth_protocol": "SHA-1", "auth_passphrase": "secret-passphrase-1"}]"#.utf8))
        let result = try await TrapMuxBinary.run([
            "decode", "--usm-users", users.path, Self.v3File("valid/trap-pub-md5-des-simple.bin"),
        ])
        #expect(result.exited(2), "\(result)")
        #expect(result.stderr.contains("MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"), "\(result.stderr)")
        #expect(!result.stderr.contains("secret-passphrase-1"))
    }

    /// SPEC §3a: passphrases never appear in output, whatever the outcome.
    @Test func noPassphraseAppearsInTheOutputOfAnyV3File() async throws {
        let users = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.v3Users)))
                as? [[String: Any]])
        let passphrases = Set(
            users.flatMap { [$0["auth_passphrase"], $0["priv_passphrase"]].compactMap { $0 as? String } })
        #expect(passphrases.count > 10)
        for folder in ["negative", "discovery", "valid"] {
            let directory = PackagePaths.publicV3Corpus.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".bin") }
            for name in names.sorted().prefix(6) {
                for flags in [["--json"], []] {
                    let result = try await TrapMuxBinary.run(
                        ["decode", "--no-mibs", "--usm-users", Self.v3Users] + flags
                            + [directory.appendingPathComponent(name).path])
                    for passphrase in passphrases {
                        #expect(!result.stdout.contains(passphrase) && !result.stderr.contains(passphrase), "\(name)")
                    }
                }
            }
        }
    }

    @Test func binaryLocatorFindsTheBuiltExecutable() throws {
        let url = try TrapMuxBinary.url()
        #expect(url.lastPathComponent == "trapmux")
        #expect(FileManager.default.isExecutableFile(atPath: url.path))
    }

    @Test func childProcessStopsAChildThatOutlivesItsDeadline() async throws {
        let start = ContinuousClock.now
        let result = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sleep"), ["30"], timeout: .milliseconds(300))
        #expect(result.timedOut)
        #expect(result.signalled)
        #expect(ContinuousClock.now - start < .seconds(25))
    }
}
