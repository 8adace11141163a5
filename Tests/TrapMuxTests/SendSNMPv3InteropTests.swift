import Foundation
import SNMPSecurity
import Testing
import TrapDecoder

#if canImport(Glibc)
import Glibc
#endif

/// `trapmux send --snmp-version 3` against net-snmp's snmptrapd 5.9.3: informs it acknowledges (its engine found by
/// discovery, or named and resynchronised with), the Report it sends for a wrong passphrase, and a trap it logs.
@Suite("trapmux send SNMPv3 and net-snmp's snmptrapd")
struct SendSNMPv3InteropTests {
    /// snmptrapd's own snmpEngineID: 80001f88 04 + "trapmux-itest" (net-snmp's text format for `engineID TEXT`).
    static let snmptrapdEngineID = [0x80, 0x00, 0x1F, 0x88, 0x04] + Array("trapmux-itest".utf8)
    /// The engine ID trapmux send sends its traps from.
    static let senderEngineID: [UInt8] = [0x80, 0x00, 0x1F, 0x88, 0x80, 0x01, 0x23, 0x45, 0x67, 0x89]

    /// Users localized to snmptrapd's own engine (informs) and to the sender's (traps); `authUser` lets each log at
    /// its level.
    static let configuration = """
        engineID trapmux-itest
        createUser informer SHA-256 inform-auth-pass AES inform-priv-pass
        createUser informer-des MD5 inform-auth-pass DES inform-priv-pass
        createUser informer-c SHA inform-auth-pass AES-256-C inform-priv-pass
        createUser -e 0x\(senderEngineID.hexString) trapper SHA-512 trap-auth-pass AES-256 trap-priv-pass
        authUser log,execute,net informer authPriv
        authUser log,execute,net informer-des authPriv
        authUser log,execute,net informer-c authPriv
        authUser log,execute,net trapper authPriv
        """

    static let informs: [[String]] = [
        ["-u", "informer", "-a", "SHA-256", "-x", "AES"],
        ["-u", "informer-des", "-a", "MD5", "-x", "DES"],
        ["-u", "informer-c", "-a", "SHA", "-x", "AES-256-C"],
        // Its engine named: no discovery; the first inform carries boots 0, time 0 and draws a
        // usmStatsNotInTimeWindows Report, whose clock the second one takes.
        ["-u", "informer", "-a", "SHA-256", "-x", "AES", "-e", "0x" + snmptrapdEngineID.hexString],
    ]

    @Test(.timeLimit(.minutes(1)), arguments: informs)
    func snmptrapdAcknowledgesAnAuthPrivInform(_ user: [String]) async throws {
        let snmptrapd = try await RunningSnmptrapd(configuration: Self.configuration)
        defer { snmptrapd.process.signal(SIGKILL) }
        let result = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(snmptrapd.port)", "--snmp-version", "3", "-l", "authPriv", "-A",
             "inform-auth-pass", "-X", "inform-priv-pass", "--inform", "--generic", "linkUp", "--verbose"] + user)
        #expect(result.exited(0), "\(result); snmptrapd: \(snmptrapd.logText.suffix(2_000))")
        #expect(result.stdout.contains("inform acknowledged by 127.0.0.1:\(snmptrapd.port) (SNMPv3"))
        #expect(result.stdout.contains("engine 0x\(Self.snmptrapdEngineID.hexString)"))
        if user.contains("-e") {
            #expect(result.stdout.contains("attempt 2"))
            #expect(result.stderr.contains("resynchronised with the receiver's clock"))
        } else {
            #expect(result.stdout.contains("attempt 1"))
            #expect(result.stderr.contains("discovered the receiver's engine ID 0x\(Self.snmptrapdEngineID.hexString)"))
        }
        let records = await snmptrapd.waitForRecords(1, timeout: .seconds(5))
        #expect(records.count == 1)
        #expect(records.first?["SNMPv2-MIB::snmpTrapOID.0"] == "OID: SNMPv2-MIB::snmpTraps.4")
        _ = await snmptrapd.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func wrongAuthPassphraseFailsNamingSnmptrapdsReportCounter() async throws {
        let snmptrapd = try await RunningSnmptrapd(configuration: Self.configuration)
        defer { snmptrapd.process.signal(SIGKILL) }
        let result = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(snmptrapd.port)", "--snmp-version", "3", "-u", "informer", "-l",
             "authNoPriv", "-a", "SHA-256", "-A", "not-the-auth-pass", "--inform", "-t", "2", "-r", "0"])
        #expect(result.exited(1), "\(result)")
        #expect(result.stderr.contains("usmStatsWrongDigests"), "\(result)")
        #expect(!result.stderr.contains("not-the-auth-pass"))
        _ = await snmptrapd.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func snmptrapdLogsAnAuthPrivTrap() async throws {
        let snmptrapd = try await RunningSnmptrapd(configuration: Self.configuration)
        defer { snmptrapd.process.signal(SIGKILL) }
        let result = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(snmptrapd.port)", "--snmp-version", "3", "-u", "trapper", "-l",
             "authPriv", "-a", "SHA-512", "-A", "trap-auth-pass", "-x", "AES-256", "-X", "trap-priv-pass", "-e",
             Self.senderEngineID.hexString, "--generic", "coldStart", "--varbind", "1.3.6.1.2.1.1.5.0=s:router-v3"])
        #expect(result.exited(0), "\(result)")
        let records = await snmptrapd.waitForRecords(1, timeout: .seconds(10))
        try #require(records.count == 1, "snmptrapd logged: \(snmptrapd.logText.suffix(2_000))")
        #expect(records[0]["SNMPv2-MIB::snmpTrapOID.0"] == "OID: SNMPv2-MIB::coldStart")
        #expect(records[0].values.contains(#"STRING: "router-v3""#), "\(records[0])")
        _ = await snmptrapd.stop()
    }
}
