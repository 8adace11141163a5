import Foundation
import Testing
import TrapDecoder

@testable import TrapMuxServer

/// `trusted_forwarders`: snmpTrapAddress.0 names the agent only in traps from those networks. A forged claim from
/// anyone else changes neither the event's agent address, nor what `source` filters match, nor what relays send.
@Suite(.serialized) struct TrustedForwarderTests {
    static let claim = "198.51.100.9"

    /// A v2c linkDown whose snmpTrapAddress.0 claims 198.51.100.9.
    static func forged(requestID: Int32) -> [UInt8] {
        let linkDown = GenericTrap.linkDown.standardTrapOID!
        let pdu = NotificationPDU(
            requestID: requestID,
            varbinds: [
                VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(4242)),
                VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(linkDown)),
                VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(IPv4Address(claim)!)),
                VarBind(oid: TestTraps.ifIndex2, value: .integer(2)),
            ])
        return TrapMessage(version: .v2c, community: Array("public".utf8)[...], pdu: .trapV2(pdu)).encoded()!
    }

    static func configuration(relayPort: Int, trusted: String) -> String {
        """
        trusted_forwarders = [\(trusted)]
        [mibs]
        enabled = false
        [[relay]]
        name = "upstream"
        target = "127.0.0.1:\(relayPort)"
        mode = "v2c"
        """
    }

    /// The relayed trap's snmpTrapAddress.0 values (there must be one).
    static func relayedTrapAddresses(_ datagram: [UInt8]) throws -> [SNMPValue] {
        try TrapMessage(decoding: datagram).varbinds.filter { $0.oid == WellKnownOID.snmpTrapAddress0 }.map(\.value)
    }

    static func snmpTrapAddress(_ event: [String: Any]) -> String? {
        (event["varbinds"] as? [[String: Any]])?.first { $0["oid"] as? String == "1.3.6.1.6.3.18.1.3.0" }?["value"]
            as? String
    }

    @Test(.timeLimit(.minutes(1)))
    func aForgedClaimFromAnUntrustedSenderShowsTheTrueSourceEverywhere() async throws {
        let relay = try UDPSink()
        let server = try await RunningServer(
            configuration: Self.configuration(relayPort: relay.port, trusted: #""10.0.0.0/8""#))
        let everyone = try server.connect()
        try everyone.subscribe()
        let bySource = try server.connect()
        try bySource.subscribe(#"{"process_events": false, "filter": {"source": ["127.0.0.2/32"]}}"#)
        let byClaim = try server.connect()
        try byClaim.subscribe(#"{"process_events": false, "filter": {"source": ["198.51.100.0/24"]}}"#)

        try UDPSender(from: "127.0.0.2").send([Self.forged(requestID: 1)], to: server.port)
        let event = try #require(try everyone.readTraps(1).first)
        #expect(event["agent_addr"] as? String == "127.0.0.2")
        #expect((event["source"] as? String)?.hasPrefix("127.0.0.2:") == true)
        #expect(Self.snmpTrapAddress(event) == Self.claim, "the claim stays visible as a varbind")
        #expect(try bySource.readTraps(1).first?["request_id"] as? Int == 1)
        // The trap was routed before this ping: had the claim's filter matched, the trap would come first.
        try byClaim.send(#"{"ping": {}}"#)
        #expect(try byClaim.readObject()["pong"] != nil)
        let relayed = try #require(relay.receive(count: 1).first)
        #expect(try Self.relayedTrapAddresses(relayed) == [.ipAddress(IPv4Address("127.0.0.2")!)])
        _ = await server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func aTrustedForwardersClaimIsBelievedAndAReloadChangesWhoIsTrusted() async throws {
        let relay = try UDPSink()
        let server = try await RunningServer(
            configuration: Self.configuration(relayPort: relay.port, trusted: #""127.0.0.0/8", "2001:db8::/32""#))
        let bySource = try server.connect()
        try bySource.subscribe(#"{"process_events": false, "filter": {"source": ["127.0.0.2/32"]}}"#)
        let sender = try UDPSender(from: "127.0.0.2")

        try sender.send([Self.forged(requestID: 1)], to: server.port)
        let trusted = try #require(try bySource.readTraps(1).first)
        #expect(trusted["agent_addr"] as? String == Self.claim)
        #expect(try Self.relayedTrapAddresses(try #require(relay.receive(count: 1).first)) == [
            .ipAddress(IPv4Address(Self.claim)!)
        ])

        try server.reload(with: Self.configuration(relayPort: relay.port, trusted: ""))
        #expect(await server.waitForLog("configuration reloaded"))
        try sender.send([Self.forged(requestID: 2)], to: server.port)
        let untrusted = try #require(try bySource.readTraps(1).first)
        #expect(untrusted["agent_addr"] as? String == "127.0.0.2")
        #expect(try Self.relayedTrapAddresses(try #require(relay.receive(count: 1).first)) == [
            .ipAddress(IPv4Address("127.0.0.2")!)
        ])
        _ = await server.stop()
    }

    @Test func theFileTakesCIDRsAndRefusesABadOneNamingItsKeyAndLine() throws {
        let configuration = try TrapMuxConfiguration.parse(
            #"trusted_forwarders = ["192.0.2.0/24", "2001:db8::1"]"#, file: "t.toml")
        #expect(configuration.trustedForwarders == [CIDR("192.0.2.0/24")!, CIDR("2001:db8::1")!])
        #expect(TrapMuxConfiguration().trustedForwarders.isEmpty)
        var refusal: ConfigurationError?
        do {
            _ = try TrapMuxConfiguration.parse(
                "trusted_forwarders = [\n  \"192.0.2.0/24\",\n  \"192.0.2.0/33\",\n]", file: "t.toml")
        } catch {
            refusal = error
        }
        // Array elements carry no line of their own in the TOML model: the key's line, as for `listen`.
        #expect(refusal?.line == 1 && refusal?.key == "trusted_forwarders", "\(String(describing: refusal))")
    }
}
