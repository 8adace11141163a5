import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

#if canImport(Glibc)
import Glibc
#endif

/// SNMPv3 end to end (SPEC §3a): net-snmp's `snmptrap -v 3` and `snmpinform -v 3` into `trapmux serve`, events
/// checked at a subscriber, every refusal under its counter and nothing of it delivered.
@Suite(.serialized) struct SNMPv3ServerTests {
    /// The engine ID `snmptrap -e` claims (the sender of a trap is authoritative).
    static let senderEngine = "80001f88803a7c51e9b2046d8f"
    /// trapmux's own engine ID in these tests (informs are localized to it).
    static let ownEngine = "80001f8804747261706d75782d7278"

    /// One `[[usm.user]]` per row: name, auth, priv, and whether it is for informs (trapmux's engine).
    static let users: [(name: String, auth: String?, priv: String?, inform: Bool)] = [
        ("noauth", nil, nil, false),
        ("md5", "MD5", nil, false), ("sha", "SHA", "DES", false), ("sha224", "SHA-224", "AES", false),
        ("sha256", "SHA-256", "AES-192", false), ("sha384", "SHA-384", "AES-256", false),
        ("sha512", "SHA-512", "AES-192-C", false), ("md5c", "MD5", "AES-256-C", false),
        ("inf-sha256", "SHA-256", "AES", true), ("inf-md5", "MD5", "DES", true),
    ]

    static func passphrase(_ user: String, _ kind: String) -> String { "\(kind)-pass-\(user)-2026" }

    static var configuration: String {
        var text = "engine_id = \"\(ownEngine)\"\n[mibs]\nenabled = false\n"
        for user in users {
            text += "[[usm.user]]\nname = \"\(user.name)\"\n"
            if !user.inform { text += "engine_id = \"\(senderEngine)\"\n" }
            if let auth = user.auth { text += "auth = \"\(auth)\"\nauth_passphrase = \"\(passphrase(user.name, "auth"))\"\n" }
            if let priv = user.priv { text += "priv = \"\(priv)\"\npriv_passphrase = \"\(passphrase(user.name, "priv"))\"\n" }
        }
        return text
    }

    /// net-snmp's options for a user (`-u … -l … -a … -A … -x … -X …`), with `overrides` replacing passphrases.
    static func arguments(
        _ user: (name: String, auth: String?, priv: String?, inform: Bool), authPassphrase: String? = nil
    ) -> [String] {
        var arguments = ["-v", "3", "-u", user.name]
        switch (user.auth, user.priv) {
        case (nil, _): arguments += ["-l", "noAuthNoPriv"]
        case (let auth?, nil): arguments += ["-l", "authNoPriv", "-a", auth, "-A", authPassphrase ?? passphrase(user.name, "auth")]
        case (let auth?, let priv?):
            arguments += [
                "-l", "authPriv", "-a", auth, "-A", authPassphrase ?? passphrase(user.name, "auth"), "-x", priv, "-X",
                passphrase(user.name, "priv"),
            ]
        }
        return arguments
    }

    /// Runs a net-snmp tool with no configuration of its own and its persistent state in `folder`.
    static func netSNMP(_ tool: String, _ arguments: [String], folder: TemporaryDirectory) async throws -> ChildProcess.Result {
        try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/\(tool)"), ["-M", "/dev/null", "-r", "1", "-t", "2"] + arguments,
            environment: ["SNMPCONFPATH": folder.url.path, "SNMP_PERSISTENT_DIR": folder.url.path, "MIBS": ""],
            timeout: .seconds(20))
    }

    static func trapArguments(port: Int, text: String) -> [String] {
        ["127.0.0.1:\(port)", "4242", "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.2", "i", "2", "1.3.6.1.4.1.32473.1.1", "s", text]
    }

    private static func stats(_ server: RunningServer) throws -> [String: Any] {
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        return try connection.readObject()["stats"] as? [String: Any] ?? [:]
    }

    @Test(.timeLimit(.minutes(2)))
    func snmptrapAtEveryAuthAndPrivCombinationReachesASubscriberWithItsUser() async throws {
        let server = try await RunningServer(configuration: Self.configuration)
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": false}"#)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for user in Self.users where !user.inform {
            let result = try await Self.netSNMP(
                "snmptrap", ["-e", Self.senderEngine] + Self.arguments(user) + Self.trapArguments(port: server.port, text: user.name),
                folder: folder)
            #expect(result.exited(0), "\(result)")
            let event = try #require(try subscriber.readTraps(1).first)
            #expect(event["version"] as? String == "3")
            #expect(event["user"] as? String == user.name)
            let level = user.auth == nil ? "noAuthNoPriv" : user.priv == nil ? "authNoPriv" : "authPriv"
            #expect(event["security_level"] as? String == level)
            #expect(event["pdu_type"] as? String == "trap-v2")
            #expect(event["generic_trap"] as? Int == 2)
            #expect(event["generic_name"] as? String == "linkDown")
            #expect((event["text"] as? String ?? "").contains("Version: 3, User: \(user.name)"))
            let values = (event["varbinds"] as? [[String: Any]] ?? []).compactMap { $0["value_hex"] as? String }
            #expect(values.contains(Array(user.name.utf8).map { String(format: "%02x", $0) }.joined()))
        }
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(2)))
    func snmpinformWithDiscoveryIsAcknowledgedAtAuthPriv() async throws {
        let server = try await RunningServer(configuration: Self.configuration)
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": false, "filter": {"version": "3", "security_level": "authPriv"}}"#)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for user in Self.users where user.inform {
            // No -e: snmpinform learns trapmux's engine ID, boots and time from the Report to its probe.
            let result = try await Self.netSNMP(
                "snmpinform", Self.arguments(user) + Self.trapArguments(port: server.port, text: user.name), folder: folder)
            #expect(result.exited(0), "snmpinform was not acknowledged: \(result)")
            let event = try #require(try subscriber.readTraps(1).first)
            #expect(event["pdu_type"] as? String == "inform")
            #expect(event["user"] as? String == user.name)
        }
        let stats = try Self.stats(server)
        let usm = stats["usm"] as? [String: Any] ?? [:]
        #expect((usm["usmStatsUnknownEngineIDs"] as? Int ?? 0) >= 2, "the discovery probes: \(usm)")
        #expect((usm["reports_sent"] as? Int ?? 0) >= 2)
        #expect((stats["informs_answered"] as? Int ?? 0) == 2)
        #expect((stats["traps"] as? [String: Any])?["3"] as? Int == 2)
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(2)))
    func refusedMessagesAreCountedUnderTheirCounterAndNeverDelivered() async throws {
        let server = try await RunningServer(configuration: Self.configuration)
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": false}"#)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let sha256 = Self.users[4]
        // A wrong auth passphrase: usmStatsWrongDigests.
        _ = try await Self.netSNMP(
            "snmptrap",
            ["-e", Self.senderEngine] + Self.arguments(sha256, authPassphrase: "not-the-passphrase")
                + Self.trapArguments(port: server.port, text: "wrong"), folder: folder)
        // An unknown user on a known engine: usmStatsUnknownUserNames.
        _ = try await Self.netSNMP(
            "snmptrap",
            ["-e", Self.senderEngine, "-v", "3", "-u", "intruder", "-l", "noAuthNoPriv"]
                + Self.trapArguments(port: server.port, text: "intruder"), folder: folder)
        // A known user name, claimed by an engine nobody configured: usmStatsUnknownEngineIDs.
        _ = try await Self.netSNMP(
            "snmptrap",
            ["-e", "800007e5800badc0ffee5eed01"] + Self.arguments(sha256) + Self.trapArguments(port: server.port, text: "engine"),
            folder: folder)
        // authPriv for a user without privacy: usmStatsUnsupportedSecLevels.
        _ = try await Self.netSNMP(
            "snmptrap",
            ["-e", Self.senderEngine, "-v", "3", "-u", "md5", "-l", "authPriv", "-a", "MD5", "-A",
             Self.passphrase("md5", "auth"), "-x", "AES", "-X", "whatever-priv-1"]
                + Self.trapArguments(port: server.port, text: "level"), folder: folder)
        // Then a good one, so the subscriber's next trap shows that none of the bad ones was delivered.
        _ = try await Self.netSNMP(
            "snmptrap", ["-e", Self.senderEngine] + Self.arguments(sha256) + Self.trapArguments(port: server.port, text: "good"),
            folder: folder)
        let event = try #require(try subscriber.readTraps(1).first)
        #expect(event["user"] as? String == "sha256")
        let values = (event["varbinds"] as? [[String: Any]] ?? []).compactMap { $0["value_hex"] as? String }
        #expect(values.contains("676f6f64"))  // "good"
        let usm = try Self.stats(server)["usm"] as? [String: Any] ?? [:]
        #expect(usm["usmStatsWrongDigests"] as? Int == 1, "\(usm)")
        #expect(usm["usmStatsUnknownUserNames"] as? Int == 1, "\(usm)")
        #expect(usm["usmStatsUnknownEngineIDs"] as? Int == 1, "\(usm)")
        #expect(usm["usmStatsUnsupportedSecLevels"] as? Int == 1, "\(usm)")
        #expect(server.standardError.contains("usm.counter=usmStatsWrongDigests"))
        #expect(!server.standardError.contains("not-the-passphrase"))
        #expect(!server.standardError.contains(Self.passphrase("sha256", "auth")))
        _ = await server.stop()
    }

    /// A trap recorded and replayed with its engine time 151 s behind what trapmux learnt of the sender's clock
    /// is outside the time window (RFC 3414 §3.2 step 7b): counted, not delivered.
    @Test(.timeLimit(.minutes(2)))
    func aReplayedOldMessageIsOutsideTheTimeWindow() async throws {
        let server = try await RunningServer(configuration: Self.configuration)
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": false}"#)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let sha256 = Self.users[4]
        // -Z boots,time sets the sender's clock: first at time 1000 (trapmux learns it), then an old one at 849.
        for (time, text) in [(1000, "now"), (849, "old")] {
            _ = try await Self.netSNMP(
                "snmptrap",
                ["-e", Self.senderEngine, "-Z", "5,\(time)"] + Self.arguments(sha256)
                    + Self.trapArguments(port: server.port, text: text), folder: folder)
        }
        _ = try await Self.netSNMP(
            "snmptrap",
            ["-e", Self.senderEngine, "-Z", "5,1001"] + Self.arguments(sha256) + Self.trapArguments(port: server.port, text: "next"),
            folder: folder)
        let events = try subscriber.readTraps(2)
        let texts = events.map { event in
            (event["varbinds"] as? [[String: Any]] ?? []).compactMap { $0["value_hex"] as? String }.last ?? ""
        }
        #expect(texts == ["6e6f77", "6e657874"])  // "now", "next": "old" never arrived
        let usm = try Self.stats(server)["usm"] as? [String: Any] ?? [:]
        #expect(usm["usmStatsNotInTimeWindows"] as? Int == 1, "\(usm)")
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func snmpEngineBootsGrowsByOneAtEveryStart() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let state = folder.url.appendingPathComponent("state").path
        for expected in 1...2 {
            let server = try await RunningServer(configuration: "[mibs]\nenabled = false\n", stateDirectory: state)
            #expect(server.standardError.contains("engine.boots=\(expected)"), "\(server.standardError)")
            _ = await server.stop()
        }
        let stored = try String(contentsOfFile: state + "/engine-boots", encoding: .utf8)
        #expect(stored == "2\n")
    }

    /// An encrypted trap relayed in `v3` mode leaves encrypted, for the upstream user, and arrives at a second
    /// trapmux (which knows that user on the first one's engine) with its varbinds and original sender.
    @Test(.timeLimit(.minutes(2)))
    func aV3RelayReencodesForTheUpstreamUserAndARawOneForwardsTheDatagram() async throws {
        let upstream = try await RunningServer(
            name: "B",
            configuration: """
                [mibs]
                enabled = false
                [[usm.user]]
                name = "relay-up"
                engine_id = "\(Self.ownEngine)"
                auth = "SHA-512"
                auth_passphrase = "relay-up-auth-2026"
                priv = "AES-256"
                priv_passphrase = "relay-up-priv-2026"
                """)
        let sink = try UDPSink()
        let relay = try await RunningServer(
            name: "A",
            configuration: Self.configuration.replacingOccurrences(of: "[mibs]", with: "[[relay]]\nname = \"up\"\ntarget = \"127.0.0.1:\(upstream.port)\"\nmode = \"v3\"\nuser = \"relay-up\"\nauth = \"SHA-512\"\nauth_passphrase = \"relay-up-auth-2026\"\npriv = \"AES-256\"\npriv_passphrase = \"relay-up-priv-2026\"\n[[relay]]\nname = \"raw\"\ntarget = \"127.0.0.1:\(sink.port)\"\nmode = \"raw\"\n[mibs]"))
        let subscriber = try upstream.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": false}"#)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let sha384 = Self.users[5]
        let result = try await Self.netSNMP(
            "snmptrap", ["-e", Self.senderEngine] + Self.arguments(sha384) + Self.trapArguments(port: relay.port, text: "up"),
            folder: folder)
        #expect(result.exited(0), "\(result)")
        let event = try #require(try subscriber.readTraps(1).first)
        #expect(event["version"] as? String == "3")
        #expect(event["user"] as? String == "relay-up")
        #expect(event["security_level"] as? String == "authPriv")
        #expect(event["trap_oid"] as? String == "1.3.6.1.6.3.1.1.5.3")
        // The original sender rides along in snmpTrapAddress.0.
        let oids = (event["varbinds"] as? [[String: Any]] ?? []).compactMap { $0["oid"] as? String }
        #expect(oids.contains("1.3.6.1.6.3.18.1.3.0"), "\(oids)")
        // raw: the encrypted datagram as received; nothing readable left trapmux in clear text.
        let forwarded = try #require(sink.receive(count: 1).first)
        #expect(TrapMessage.declaredVersion(of: forwarded[...]) == .v3)
        #expect(!forwarded.contains(subsequence: Array("up".utf8) + [0x04]))
        _ = await relay.stop()
        _ = await upstream.stop()
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<$0 + subsequence.count].elementsEqual(subsequence) }
    }
}
