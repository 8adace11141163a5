import Foundation
import Testing
import TrapDecoder

@testable import TrapMux

#if canImport(Glibc)
import Glibc
#endif

/// Relaying to upstream managers on loopback: a raw sink, a second trapmux, and net-snmp's snmptrapd.
@Suite(.serialized) struct RelayTests {
    private static func relayConfig(_ relays: [(name: String, port: Int, mode: String, extra: String)], more: String = "") -> String {
        relays.map { relay in
            "[[relay]]\nname = \"\(relay.name)\"\ntarget = \"127.0.0.1:\(relay.port)\"\nmode = \"\(relay.mode)\"\n\(relay.extra)\n"
        }.joined() + more
    }

    private func snmpTrapAddress(_ event: [String: Any]) -> String? {
        (event["varbinds"] as? [[String: Any]])?.first { $0["oid"] as? String == "1.3.6.1.6.3.18.1.3.0" }?["value"] as? String
    }

    @Test func rawRelayForwardsTheDatagramByteForByte() async throws {
        let sink = try UDPSink()
        let server = try await RunningServer(configuration: Self.relayConfig([("sink", sink.port, "raw", "")]))
        let datagrams = [TestTraps.v1(.linkDown), TestTraps.v2c(.coldStart, requestID: 5), TestTraps.v2c(.warmStart, requestID: 6, inform: true)]
        try server.send(datagrams)
        #expect(sink.receive(count: 3) == datagrams)
        _ = await server.stop()
    }

    @Test func v2cRelayThroughASecondTrapmuxKeepsTheOriginalSender() async throws {
        let upstream = try await RunningServer(name: "B")
        let subscriber = try upstream.connect()
        try subscriber.subscribe()
        let relay = try await RunningServer(
            name: "A", configuration: Self.relayConfig([("B", upstream.port, "v2c", "community = \"relayed\"")]))
        try relay.send([TestTraps.v1(.linkDown), TestTraps.v2c(.linkUp, requestID: 77)])
        let events = try subscriber.readTraps(2)

        // v1 → v2c (RFC 3584 §3.1): trap OID, original varbinds, then agent address, community, enterprise.
        #expect(events[0]["version"] as? String == "2c")
        #expect(events[0]["community"] as? String == "relayed")
        #expect(events[0]["trap_oid"] as? String == "1.3.6.1.6.3.1.1.5.3")
        #expect(events[0]["generic_name"] as? String == "linkDown")
        #expect(snmpTrapAddress(events[0]) == "192.0.2.7")
        #expect(events[0]["agent_addr"] as? String == "192.0.2.7")
        let oids = (events[0]["varbinds"] as? [[String: Any]] ?? []).map { $0["oid"] as? String ?? "" }
        #expect(oids == [
            "1.3.6.1.2.1.1.3.0", "1.3.6.1.6.3.1.1.4.1.0", "1.3.6.1.2.1.2.2.1.1.2", "1.3.6.1.6.3.18.1.3.0",
            "1.3.6.1.6.3.18.1.4.0", "1.3.6.1.6.3.1.1.4.3.0",
        ])
        // v2c → v2c: the sender, which only the relay saw, is added.
        #expect(events[1]["trap_oid"] as? String == "1.3.6.1.6.3.1.1.5.4")
        #expect(snmpTrapAddress(events[1]) == "127.0.0.1")
        _ = await relay.stop()
        _ = await upstream.stop()
    }

    @Test(.disabled("hangs inside the test harness (not in manual runs); being investigated, see the relay issue notes"))
    func snmptrapdAsUpstreamLogsRelayedTrapsByNameAndAcknowledgesInforms() async throws {
        let port = try FreePort.udp()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let log = folder.url.appendingPathComponent("snmptrapd.log").path
        let conf = try folder.file(
            "snmptrapd.conf", Array("authCommunity log,execute,net public\ndisableAuthorization yes\n".utf8))
        // Started through a shell that exits at once, so snmptrapd is nobody's child here; it stops by itself.
        let command =
            "timeout 60 /usr/sbin/snmptrapd -f -Lf \(log) -n -C -c \(conf.path) "
            + "-M /usr/share/snmp/mibs:/usr/share/trapmux/mibs -m ALL 127.0.0.1:\(port) >/dev/null 2>&1 &"
        _ = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", command], timeout: .seconds(10))
        try await Task.sleep(for: .seconds(1))

        let relay = try await RunningServer(
            configuration: Self.relayConfig([
                ("snmptrapd", port, "v2c", ""),
                ("snmptrapd-inform", port, "inform", "filter = { generic = [\"coldStart\"] }\ntimeout = \"500ms\""),
            ]))
        try relay.send([TestTraps.v1(.linkDown), TestTraps.v2c(.coldStart, requestID: 9)])
        var text = ""
        for _ in 0..<50 {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "snmpTrapOID.0").count > 3 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(text.contains("SNMP-COMMUNITY-MIB::snmpTrapAddress.0 = IpAddress: 192.0.2.7"))
        #expect(text.contains("SNMPv2-MIB::snmpTrapOID.0 = OID: SNMPv2-MIB::coldStart"))
        #expect(text.contains("SNMPv2-MIB::snmpTrapEnterprise.0 = OID: NET-SNMP-TC::linux"))

        let statsClient = try relay.connect()
        try statsClient.send(#"{"stats": {}}"#)
        let relays = try #require(try statsClient.readObject()["stats"] as? [String: Any])["relays"] as? [[String: Any]]
        let inform = relays?.first { $0["name"] as? String == "snmptrapd-inform" }
        #expect(inform?["acknowledged"] as? Int == 1)
        #expect(inform?["failed"] as? Int == 0)
        _ = await relay.stop()
        _ = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/pkill"), ["-f", log], timeout: .seconds(10))
    }

    @Test func aDeadTargetIsReportedAndCountedWhileALiveOneGetsEverything() async throws {
        let sink = try UDPSink()
        // Held while the server picks its own port, so the two cannot coincide; closed before any trap is sent.
        var placeholder: UDPSink? = try UDPSink()
        let deadPort = placeholder!.port
        let server = try await RunningServer(
            configuration: Self.relayConfig([("dead", deadPort, "v2c", ""), ("live", sink.port, "raw", "")]))
        placeholder = nil
        let datagrams = (0..<300).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }
        try server.send(datagrams)
        #expect(sink.receive(count: 300) == datagrams)
        // ICMP port unreachable comes back asynchronously: ask until the error has been seen (bounded).
        let statsClient = try server.connect()
        var dead: [String: Any]?
        for _ in 0..<30 {
            try statsClient.send(#"{"stats": {}}"#)
            let relays = try #require(try statsClient.readObject()["stats"] as? [String: Any])["relays"] as? [[String: Any]]
            dead = relays?.first { $0["name"] as? String == "dead" }
            if (dead?["send_errors"] as? Int ?? 0) > 0 { break }
            try server.send([TestTraps.v2c(.linkDown, requestID: 999)])
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((dead?["send_errors"] as? Int ?? 0) > 0)
        let result = await server.stop()
        let faults = result.stderrLines.filter { $0.contains("Process-I/O error") && $0.contains("relay dead") }
        #expect(faults.count == 1)  // rate-limited: one report a minute per target
        #expect(faults.first?.contains("FS error: \(ECONNREFUSED)") == true)
    }

    @Test func thePerSourceRateLimitIsCounted() async throws {
        let server = try await RunningServer(configuration: "[rate_limit]\nrate = 5\nburst = 10\n")
        let subscriber = try server.connect()
        try subscriber.subscribe()
        try server.send((0..<60).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }, perBurst: 60)
        let first = try subscriber.readTraps(10)
        #expect(first.count == 10)
        let statsClient = try server.connect()
        try await Task.sleep(for: .milliseconds(300))
        try statsClient.send(#"{"stats": {}}"#)
        let stats = try #require(try statsClient.readObject()["stats"] as? [String: Any])
        let limited = stats["rate_limited"] as? Int ?? 0
        let delivered = (stats["traps"] as? [String: Int])?["2c"] ?? 0
        #expect(limited >= 45)
        #expect(limited + delivered == 60)
        _ = await server.stop()
    }

    @Test func aBadRelayConfigurationIsRejectedWithItsLine() {
        do {
            _ = try TrapMuxConfiguration.parse("[[relay]]\nname = \"x\"\ntarget = \"nowhere\"\n", file: "r.toml")
            Issue.record("accepted a relay without a port")
        } catch {
            #expect(error.description.hasPrefix("r.toml:3: relay.target: "))
        }
    }
}
