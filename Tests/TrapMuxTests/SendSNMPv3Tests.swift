import Foundation
import SNMPSecurity
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents

#if canImport(Glibc)
import Glibc
#endif

/// `trapmux send --snmp-version 3`: traps at every level checked by trapmux's own USM processor, the load generator's
/// pool of authenticated datagrams, option checks, and passphrases that never show.
@Suite("trapmux send SNMPv3")
struct SendSNMPv3Tests {
    /// The sender's engine ID given with -e (net-snmp's random format, as snmptrap's own).
    static let engineID: [UInt8] = [0x80, 0x00, 0x1F, 0x88, 0x80, 0x5E, 0x4D, 0x3C, 0x2B, 0x1A]
    static let authPassphrase = "Secret-Auth-7f3a"
    static let privPassphrase = "Secret-Priv-c21e"

    struct Protection: Sendable, CustomStringConvertible {
        let level: SNMPSecurityLevel
        let auth: USMAuthProtocol?
        let priv: USMPrivProtocol?

        var userName: String { "sender-\(auth?.rawValue ?? "none")-\(priv?.rawValue ?? "none")" }

        /// The options after `--snmp-version 3`.
        var arguments: [String] {
            var arguments = ["-u", userName, "-l", level.rawValue]
            if let auth { arguments += ["-a", auth.rawValue, "-A", SendSNMPv3Tests.authPassphrase] }
            if let priv { arguments += ["-x", priv.rawValue, "-X", SendSNMPv3Tests.privPassphrase] }
            return arguments
        }

        /// The receiver's user for this sender: its keys localized to the sender's engine.
        var user: USMUser {
            USMUser(
                name: userName, engineID: SendSNMPv3Tests.engineID, authProtocol: auth,
                authPassphrase: auth == nil ? nil : USMPassphrase(SendSNMPv3Tests.authPassphrase), privProtocol: priv,
                privPassphrase: priv == nil ? nil : USMPassphrase(SendSNMPv3Tests.privPassphrase))
        }

        var description: String { "\(level.rawValue) \(auth?.rawValue ?? "-") \(priv?.rawValue ?? "-")" }
    }

    static let protections = [
        Protection(level: .noAuthNoPriv, auth: nil, priv: nil),
        Protection(level: .authNoPriv, auth: .md5, priv: nil),
        Protection(level: .authNoPriv, auth: .sha512, priv: nil),
        Protection(level: .authPriv, auth: .sha1, priv: .des),
        Protection(level: .authPriv, auth: .sha256, priv: .aes),
        Protection(level: .authPriv, auth: .md5, priv: .aes192),
        Protection(level: .authPriv, auth: .sha224, priv: .aes256Reeder),
    ]

    /// A receiver holding `users`, like trapmux serve: the sender's engine is remote, so its first trap sets the
    /// notion of its clock.
    static func receiver(_ users: [USMUser]) throws -> USMProcessor {
        let own = USMLocalEngine.defaultEngineID(hostName: "receiver")
        return USMProcessor(users: try USMUserTable(users: users, localEngineID: own), localEngine: USMLocalEngine(
            engineID: own, boots: 1, at: 0))
    }

    @Test(.timeLimit(.minutes(1)), arguments: protections)
    func trapAtEachLevelPassesTrapmuxsUSMProcessor(_ protection: Protection) async throws {
        let sink = try UDPSink()
        let result = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(sink.port)", "--snmp-version", "3"] + protection.arguments + [
                "-e", "0x" + Self.engineID.hexString, "-n", "vrf-blue", "--engine-boots", "7", "--generic", "linkDown",
                "--varbind", "1.3.6.1.2.1.1.5.0=s:router-7",
            ])
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout.contains("sent 1 linkDown trap (SNMPv3, user \"\(protection.userName)\""))
        let datagrams = sink.receive(count: 1, idle: 3)
        try #require(datagrams.count == 1)

        var receiver = try Self.receiver([protection.user])
        let incoming = try receiver.process(datagrams[0][...], now: 0)
        #expect(incoming.securityLevel == protection.level)
        #expect(incoming.user.name == protection.userName)
        #expect(incoming.isAuthoritative == false)
        let header = try #require(incoming.message.v3)
        #expect(header.usm?.engineID == Self.engineID[...])
        #expect(header.usm?.engineBoots == 7)
        // snmpEngineTime counts from the command's start.
        #expect((0...5).contains(header.usm?.engineTime ?? -1))
        #expect(header.contextEngineID == Self.engineID[...])
        #expect(header.contextName == Array("vrf-blue".utf8)[...])
        #expect(header.flags == protection.level.flags)
        guard case .trapV2(let pdu) = incoming.message.pdu else {
            Issue.record("not an SNMPv2 trap: \(incoming.message.pdu)")
            return
        }
        #expect(pdu.varbinds.map(\.oid) == [
            WellKnownOID.sysUpTime0, WellKnownOID.snmpTrapOID0, OID("1.3.6.1.2.1.1.5.0")!,
        ])
        let varbinds = Array(pdu.varbinds)
        #expect(varbinds[1].value == .objectIdentifier(GenericTrap.linkDown.standardTrapOID!))
        #expect(varbinds[2].value == .octetString(Array("router-7".utf8)[...]))
        if protection.level.isPrivate {
            let envelope = try SNMPv3Envelope(decoding: datagrams[0][...])
            guard case .encrypted = envelope.data else {
                Issue.record("an authPriv trap went out in plaintext")
                return
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func defaultEngineIDIsStableForTheHostAndToldWithVerbose() async throws {
        let sink = try UDPSink()
        var told: [String] = []
        for _ in 0..<2 {
            let result = try await TrapMuxBinary.run(
                ["send", "--to", "127.0.0.1:\(sink.port)", "--snmp-version", "3", "-u", "anyone", "--verbose"])
            #expect(result.exited(0), "\(result)")
            let line = try #require(result.stderrLines.first { $0.contains("sender engine ID 0x") })
            let word = line.split(separator: " ").first { $0.hasPrefix("0x") } ?? ""
            told.append(String(word.dropFirst(2).prefix { $0.isHexDigit }))
            #expect(line.contains("boots 1, time 0"))
        }
        let datagrams = sink.receive(count: 2, idle: 3)
        try #require(datagrams.count == 2)
        let sent = try datagrams.map { try SNMPv3Envelope(decoding: $0[...]).header.usm!.engineID.hexString }
        let expected = SNMPv3TrapBuilder.defaultEngineID(hostName: ProcessInfo.processInfo.hostName)
        #expect(told == [expected.hexString, expected.hexString])
        #expect(sent == told)
        // Not the engine ID a trapmux serve on this host takes: it would take these traps as addressed to itself.
        #expect(expected != USMLocalEngine.defaultEngineID(hostName: ProcessInfo.processInfo.hostName))
        #expect(expected.starts(with: [0x80, 0x00, 0x1F, 0x88, 0x04]))
    }

    @Test(.timeLimit(.minutes(1)))
    func loadRunCyclesAPoolOfDistinctAuthenticatedTraps() async throws {
        let sink = try UDPSink()
        let protection = Protection(level: .authPriv, auth: .sha256, priv: .aes)
        let result = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(sink.port)", "--snmp-version", "3"] + protection.arguments + [
                "-e", Self.engineID.hexString, "--count", "1500", "--rate", "20000", "--max-seconds", "20",
            ])
        #expect(result.exited(0), "\(result)")
        // The line the benchmark reads (bench/run SENT_PATTERN).
        let pattern = /sent (\d+) datagrams of (\d+) bytes to \S+ in ([\d.]+) s: (\d+) per second/
        let match = try #require(result.stdout.firstMatch(of: pattern), "\(result)")
        #expect(match.1 == "1500")
        let datagrams = sink.receive(count: 1500, idle: 2)
        #expect(datagrams.count > 1400, "the sink received \(datagrams.count)")
        #expect(datagrams.allSatisfy { $0.count == Int(match.2) })

        var receiver = try Self.receiver([protection.user])
        var requestIDs: [Int32] = []
        for datagram in datagrams {
            let incoming = try receiver.process(datagram[...], now: 0)
            guard case .trapV2(let pdu) = incoming.message.pdu else { continue }
            requestIDs.append(pdu.requestID)
        }
        #expect(requestIDs.count == datagrams.count)
        // 1,024 distinct datagrams (request-ids and salts), then the same ones again in turn.
        #expect(Set(requestIDs).count == min(1_024, datagrams.count))
        #expect(requestIDs.first == LoadGenerator.requestID(ofDatagram: 0))
        let salts = Set(try datagrams.map { try SNMPv3Envelope(decoding: $0[...]).header.usm!.privacyParameters })
        #expect(salts.count == Set(requestIDs).count)
    }

    @Test func poolIsRebuiltEveryRefreshIntervalAndSentInTurn() throws {
        let sink = try UDPSink()
        // Builds of four one-octet datagrams: the octet is the number of the datagram the build was for.
        final class Builds { var firsts: [Int] = [] }
        let builds = Builds()
        let pool = LoadGenerator.DatagramPool(count: 4, refreshInterval: .milliseconds(40)) { first in
            builds.firsts.append(first)
            return (0..<4).map { [UInt8(truncatingIfNeeded: first + $0)] }
        }
        // 60 at 300/s: 0.2 s, some five rebuilds after the first.
        let generator = LoadGenerator(
            target: HostPort(host: "127.0.0.1", port: sink.port), payload: .pool(pool), count: 60, rate: 300,
            maximumDuration: .seconds(10))
        let outcome = try generator.run()
        #expect(outcome.sent == 60)
        #expect(outcome.bytes == 1)
        #expect(builds.firsts.count >= 3)
        #expect(builds.firsts == (0..<builds.firsts.count).map { $0 * 4 })
        let received = sink.receive(count: 60, idle: 1).map { Int($0[0]) }
        try #require(received.count == 60)
        // Datagram n is entry n % 4 of the pool current when it went out; later pools carry higher numbers.
        #expect(received.indices.allSatisfy { received[$0] % 4 == $0 % 4 })
        #expect(Set(received.map { $0 / 4 }).count >= 3)
    }

    static let invalidOptions: [([String], String)] = [
        (["--snmp-version", "3", "-l", "authNoPriv"], "SNMPv3 needs a user: -u/--user NAME"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authNoPriv"],
         "-l authNoPriv needs -a/--auth-protocol, one of MD5"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authNoPriv", "-a", "SHA"],
         "-l authNoPriv needs -A/--auth-passphrase"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authNoPriv", "-a", "SHA", "-A", "short"],
         "-A/--auth-passphrase must have at least 8 characters"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authPriv", "-a", "SHA", "-A", authPassphrase],
         "-l authPriv needs -x/--priv-protocol, one of DES, AES, AES-192, AES-256, AES-192-C, AES-256-C"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authPriv", "-a", "SHA", "-A", authPassphrase, "-x", "AES",
          "-X", "short"], "-X/--priv-passphrase must have at least 8 characters"),
        (["--snmp-version", "3", "-u", "bob", "-a", "SHA", "-A", authPassphrase],
         "-a/-A authenticate, which -l noAuthNoPriv does not do"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authNoPriv", "-a", "SHA", "-A", authPassphrase, "-X",
          privPassphrase], "-x/-X encrypt, which -l authNoPriv does not do"),
        (["--snmp-version", "3", "-u", "bob", "-a", "SHA-1"], "Please provide one of the following"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authPrivate"], "Please provide one of 'noAuthNoPriv'"),
        (["--snmp-version", "3", "-u", "bob", "-l", "authPriv", "-a", "SHA", "-A", authPassphrase, "-x", "3DES",
          "-X", privPassphrase], "AES-256-C"),
        (["--snmp-version", "3", "-u", "bob", "-e", "0x8000"], "The value '0x8000' is invalid for '-e <engine-id>'"),
        (["--snmp-version", "3", "-u", "bob", "--inform", "--engine-boots", "3"], "--engine-boots and --engine-time"),
        (["--snmp-version", "3", "-u", "bob", "--engine-boots", "2147483647"], "--engine-boots must be 0…2147483646"),
        (["--snmp-version", "3", "-u", String(repeating: "u", count: 33)], "at most 32 octets"),
        (["--snmp-version", "2c", "-u", "bob"], "need --snmp-version 3"),
        (["--snmp-version", "4"], "Please provide one of '1', '2c' or '3'"),
        (["--snmp-version", "3", "-u", "bob", "--file", "/dev/null"], "the SNMPv3 options do not apply"),
    ]

    @Test(.timeLimit(.minutes(1)), arguments: invalidOptions)
    func invalidOptionsAreRefusedNamingWhatToChange(_ arguments: [String], _ message: String) async throws {
        let result = try await TrapMuxBinary.run(["send", "--to", "127.0.0.1:9"] + arguments)
        #expect(result.exited(64), "\(result)")
        #expect(result.stderr.contains(message), "\(result)")
        #expect(!result.stderr.contains(Self.authPassphrase) && !result.stderr.contains(Self.privPassphrase))
    }

    @Test(.timeLimit(.minutes(1)))
    func passphrasesAreNeverPrinted() async throws {
        let sink = try UDPSink()
        let protection = Protection(level: .authPriv, auth: .sha384, priv: .aes256)
        let runs = [
            // A trap and a short load run, with everything --verbose tells.
            ["--to", "127.0.0.1:\(sink.port)", "--verbose"],
            ["--to", "127.0.0.1:\(sink.port)", "--verbose", "--count", "3"],
            // An inform nobody answers: discovery, retransmissions, the failure.
            ["--to", "127.0.0.1:\(try FreePort.udp())", "--verbose", "--inform", "-t", "0.2", "-r", "1"],
            // Refused options around them.
            ["--to", "127.0.0.1:\(sink.port)", "--uptime", "-3"],
            ["--to", "127.0.0.1:\(sink.port)", "--inform", "--engine-time", "5"],
        ]
        for run in runs {
            let result = try await TrapMuxBinary.run(["send", "--snmp-version", "3"] + protection.arguments + run)
            for secret in [Self.authPassphrase, Self.privPassphrase] {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(run): \(result)")
            }
        }
    }
}
