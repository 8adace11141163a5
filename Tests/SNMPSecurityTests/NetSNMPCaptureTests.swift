import SNMPSecurity
import Testing
import TrapDecoder

/// net-snmp's own authPriv traps verify and decrypt: DES, AES-128, and both AES-192 key extensions.
@Suite("net-snmp captures")
struct NetSNMPCaptureTests {
    @Test(arguments: NetSNMPCaptures.all)
    func netSNMPTrapVerifiesAndDecrypts(_ capture: NetSNMPCaptures.Capture) throws {
        let table = try USMUserTable(users: [capture.user], localEngineID: Fixtures.localEngineID)
        var processor = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 1, at: 0))
        let incoming = try processor.process(capture.datagram[...], now: 0)
        #expect(incoming.securityLevel == .authPriv)
        guard case .trapV2(let trap) = incoming.message.pdu else {
            Issue.record("not a trap: \(incoming.message.pdu.typeName)")
            return
        }
        #expect(trap.requestID == capture.requestID)
        #expect(trap.varbinds.count == capture.varbindCount)
        if let text = capture.message {
            let value = trap.varbinds.first { $0.oid == OID("1.3.6.1.4.1.32473.1.1.1")! }?.value
            #expect(value == .octetString(Array(text.utf8)[...]))
        }
    }

    @Test func reederUserCannotReadABlumenthalMessage() throws {
        // The AES-192 capture's user, reconfigured with the other key extension: authentic, but garbage inside.
        var user = NetSNMPCaptures.blumenthalAES192.user
        user.privProtocol = .aes192Reeder
        let table = try USMUserTable(users: [user], localEngineID: Fixtures.localEngineID)
        var processor = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 1, at: 0))
        #expect(throws: USMError(.usmStatsDecryptionErrors, at: 0, "")) {
            _ = try processor.process(NetSNMPCaptures.blumenthalAES192.datagram[...], now: 0)
        }
    }
}
