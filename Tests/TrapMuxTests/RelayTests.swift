import Foundation
import Logging
import NIOPosix
import SNMPSecurity
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

/// Relaying to upstream managers on loopback: a raw sink, a second trapmux, and net-snmp's snmptrapd.
@Suite(.serialized) struct RelayTests {
    /// trapmux B with one subscriber, and trapmux A relaying to B in `mode`: the two-stage chain of the relay tests.
    private static func chain(mode: String, options: String = "", more: String = "") async throws
        -> (relay: RunningServer, upstream: RunningServer, subscriber: TestSubscriber)
    {
        // B trusts A (sending from 127.0.0.1) to forward: it believes the snmpTrapAddress.0 that A puts in.
        let upstream = try await RunningServer(
            name: "B", configuration: "trusted_forwarders = [\"127.0.0.1/32\"]\n[mibs]\nenabled = false\n")
        let subscriber = try upstream.connect()
        try subscriber.subscribe()
        let relay = try await RunningServer(
            name: "A", configuration: relayConfig([("B", upstream.port, mode, options)], more: more))
        return (relay, upstream, subscriber)
    }

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
        let (relay, upstream, subscriber) = try await Self.chain(mode: "v2c", options: "community = \"relayed\"")
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

    @Test(.timeLimit(.minutes(1)))
    func snmptrapdAsUpstreamLogsRelayedTrapsByNameAndAcknowledgesInforms() async throws {
        let snmptrapd = try await RunningSnmptrapd()
        // Whatever fails below, snmptrapd does not outlive the test (a no-op once it has been stopped).
        defer { snmptrapd.process.signal(SIGKILL) }
        let relay = try await RunningServer(
            configuration: Self.relayConfig([
                ("snmptrapd", snmptrapd.port, "v2c", ""),
                (
                    "snmptrapd-inform", snmptrapd.port, "inform",
                    "filter = { generic = [\"coldStart\"] }\ntimeout = \"500ms\""
                ),
            ]))
        // From 127.0.0.2, so a v2c trap's snmpTrapAddress.0 cannot be mistaken for the relay's own 127.0.0.1.
        // Trap names that the MIBs installed here define (IF-MIB, and with it linkDown's name, is not among them).
        try UDPSender(from: "127.0.0.2").send(
            [
                TestTraps.v1(.authenticationFailure), TestTraps.v1(.enterpriseSpecific, specific: 17),
                TestTraps.v2c(.coldStart, requestID: 9),
            ], to: relay.port)

        // Three through the v2c target and the coldStart once more through the inform target.
        let records = await snmptrapd.waitForRecords(4, timeout: .seconds(10))
        try #require(records.count == 4, "snmptrapd logged: \(snmptrapd.logText)")
        func logged(_ trapName: String) -> [[String: String]] {
            records.filter { $0["SNMPv2-MIB::snmpTrapOID.0"] == "OID: \(trapName)" }
        }
        let authenticationFailure = logged("SNMPv2-MIB::authenticationFailure")
        #expect(authenticationFailure.count == 1)
        #expect(authenticationFailure.first?["SNMP-COMMUNITY-MIB::snmpTrapAddress.0"] == "IpAddress: 192.0.2.7")
        #expect(authenticationFailure.first?["SNMP-COMMUNITY-MIB::snmpTrapCommunity.0"] == #"STRING: "public""#)
        #expect(authenticationFailure.first?["SNMPv2-MIB::snmpTrapEnterprise.0"] == "OID: NET-SNMP-TC::linux")
        #expect(authenticationFailure.first?["RFC1213-MIB::ifIndex.2"] == "INTEGER: 2")
        // enterpriseSpecific: enterprise.0.specific (RFC 3584 §3.1), 1.3.6.1.4.1.8072.3.2.10 being NET-SNMP-TC::linux.
        let enterpriseSpecific = logged("NET-SNMP-TC::linux.0.17")
        #expect(enterpriseSpecific.count == 1)
        #expect(enterpriseSpecific.first?["SNMP-COMMUNITY-MIB::snmpTrapAddress.0"] == "IpAddress: 192.0.2.7")
        let coldStart = logged("SNMPv2-MIB::coldStart")
        #expect(coldStart.count == 2)
        #expect(coldStart.allSatisfy { $0["SNMP-COMMUNITY-MIB::snmpTrapAddress.0"] == "IpAddress: 127.0.0.2" })

        // The acknowledgement comes back asynchronously: ask until it has been counted (bounded).
        let statsClient = try relay.connect()
        var inform: [String: Any]?
        for _ in 0..<50 {
            try statsClient.send(#"{"stats": {}}"#)
            let stats = try #require(try statsClient.readObject()["stats"] as? [String: Any])
            let relays = stats["relays"] as? [[String: Any]]
            inform = relays?.first { $0["name"] as? String == "snmptrapd-inform" }
            if inform?["acknowledged"] as? Int == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(inform?["acknowledged"] as? Int == 1)
        #expect(inform?["failed"] as? Int == 0)
        #expect(inform?["retransmitted"] as? Int == 0)
        _ = await relay.stop()
        let ended = await snmptrapd.stop()
        #expect(!ended.timedOut, "\(ended)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aTwoStageChainDeliversEveryCorpusAndBenchTrapWithTheOriginalSenderVisible() async throws {
        let inputs = try ChainInput.corpusAndBenchTraps(sentFrom: "127.0.0.2")
        #expect(inputs.count >= 19, "expected the 13 v1/v2c corpus traps and the 6 bench packets")
        let (relay, upstream, subscriber) = try await Self.chain(
            mode: "v2c", options: "community = \"chain\"", more: "[mibs]\nenabled = false\n")
        try UDPSender(from: "127.0.0.2").send(inputs.map(\.datagram), to: relay.port)
        let events = try subscriber.readTraps(inputs.count)

        for (input, event) in zip(inputs, events) {
            let expected = input.expected
            let varbinds = (event["varbinds"] as? [[String: Any]] ?? []).map(ChainInput.varbindText)
            #expect(event["version"] as? String == "2c", "\(input.name)")
            #expect(event["pdu_type"] as? String == "trap-v2", "\(input.name)")
            #expect(event["community"] as? String == "chain", "\(input.name)")
            #expect((event["source"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(input.name): sent by A")
            #expect(event["trap_oid"] as? String == expected.trapOID, "\(input.name)")
            #expect(varbinds == expected.varbinds, "\(input.name)")
            #expect(snmpTrapAddress(event) == expected.agentAddress, "\(input.name)")
            #expect(event["agent_addr"] as? String == expected.agentAddress, "\(input.name)")
            if let v1 = expected.v1 {
                // B maps the relayed trap back (RFC 3584 §3.2) to what the agent sent.
                #expect(event["generic_trap"] as? Int == v1.generic, "\(input.name)")
                #expect(event["enterprise"] as? String == v1.enterprise, "\(input.name)")
                if v1.generic == 6 { #expect(event["specific_trap"] as? Int == v1.specific, "\(input.name)") }
            }
        }
        _ = await relay.stop()
        _ = await upstream.stop()
    }

    @Test func aRawChainPassesAnInformOnButOnlyTheFirstTrapmuxAnswersTheSender() async throws {
        let (relay, upstream, subscriber) = try await Self.chain(mode: "raw")
        let sender = try UDPSender(from: "127.0.0.2")
        let inform = TestTraps.v2c(.warmStart, requestID: 4711, inform: true)
        try sender.send([inform], to: relay.port)

        let event = try #require(try subscriber.readTraps(1).first)
        #expect(event["pdu_type"] as? String == "inform")
        #expect(event["request_id"] as? Int == 4711)
        // Byte for byte means no snmpTrapAddress.0: B sees A's relay socket as the sender, not 127.0.0.2.
        #expect((event["source"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(snmpTrapAddress(event) == nil)

        // The sender's one answer is A's. B answers as well, but to A's relay socket, which passes nothing back:
        // a raw-relayed inform is never acknowledged by the upstream to the original sender.
        let answers = sender.receive(count: 2, idle: 1.5)
        #expect(answers.map(\.port) == [relay.port])
        #expect(answers.first.flatMap { InformResponse.requestID(of: $0.datagram) } == 4711)
        let upstreamStats = try upstream.connect()
        try upstreamStats.send(#"{"stats": {}}"#)
        let stats = try #require(try upstreamStats.readObject()["stats"] as? [String: Any])
        #expect(stats["informs_answered"] as? Int == 1)
        _ = await relay.stop()
        _ = await upstream.stop()
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

    @Test(.timeLimit(.minutes(1)))
    func aTargetThatIsDownUnderLoadIsCountedAndServedAgainAtFullSpeedOnceItIsBack() async throws {
        var placeholder: UDPSink? = try UDPSink()
        let port = placeholder!.port
        let server = try await RunningServer(configuration: Self.relayConfig([("flaky", port, "raw", "")]))
        placeholder = nil
        // Bursts while nothing listens. On one connected socket the refusals would cut every sendmmsg to one
        // datagram with the error lost (a backlog that drains one datagram per loop turn, nothing counted), or
        // make NIO close the socket for good; the probe socket must notice, the traffic must not back up.
        for round in 0..<4 {
            let burst = (0..<500).map { TestTraps.v2c(.linkDown, requestID: Int32(round * 500 + $0)) }
            try server.send(burst, perBurst: 100)
            try await Task.sleep(for: .milliseconds(100))
        }

        let sink = try UDPSink(port: port)
        // Sent until some arrive (the new socket opens about a second after the close), at most 10 s.
        var received: [[UInt8]] = []
        for round in 0..<50 where received.isEmpty {
            try server.send([TestTraps.v2c(.linkUp, requestID: Int32(10_000 + round))])
            received = sink.receive(count: 1, idle: 0.2)
        }
        #expect(!received.isEmpty, "nothing reached the target after it came back")
        let later = (0..<100).map { TestTraps.v2c(.coldStart, requestID: Int32(20_000 + $0)) }
        try server.send(later)
        // Everything until the target falls quiet: on a loaded machine the server may still be relaying the last
        // burst when the target comes back, and those datagrams arrive first, in order, before `later`.
        let rest = sink.receive(count: 10_000, idle: 1)
        #expect(Array(rest.suffix(100)) == later)

        let statsClient = try server.connect()
        try statsClient.send(#"{"stats": {}}"#)
        let relays = try #require(try statsClient.readObject()["stats"] as? [String: Any])["relays"] as? [[String: Any]]
        #expect((relays?.first?["send_errors"] as? Int ?? 0) > 0)
        let result = await server.stop()
        #expect(result.stderrLines.filter { $0.contains("Process-I/O error") && $0.contains("relay flaky") }.count == 1)
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

    @Test(arguments: [
        ("listen = [\"127.0.0.1:1162\"]", "127.0.0.1:1162", "127.0.0.1:1162", "listen, line 1"),
        ("listen = [\"0.0.0.0:1162\"]", "127.0.0.1:1162", "0.0.0.0:1162", "listen, line 1"),
        ("listen = [\"0.0.0.0:1162\"]", "localhost:1162", "0.0.0.0:1162", "listen, line 1"),
        ("listen = [\"[::]:1162\"]", "[::1]:1162", "[::]:1162", "listen, line 1"),
        ("listen = [\"[::1]:1162\"]", "[::1]:1162", "[::1]:1162", "listen, line 1"),
        ("", "127.0.0.1:162", "0.0.0.0:162", "the default listen"),
    ])
    func aRelayTargetThatIsOneOfTheOwnListenAddressesIsRejected(
        listen: String, target: String, own: String, origin: String
    ) {
        let text = "\(listen)\n[[relay]]\nname = \"loop\"\ntarget = \"\(target)\"\n"
        do {
            _ = try TrapMuxConfiguration.parse(text, file: "loop.toml")
            Issue.record("accepted a relay to its own address \(target) with \(listen)")
        } catch {
            let expected = "loop.toml:4: relay.target: \"\(target)\" is this server's own listen address \(own) (\(origin)): "
            #expect(error.description.hasPrefix(expected))
            #expect(error.description.contains("expected the address of an upstream manager"))
        }
    }

    @Test func aRelayTargetOnTheSamePortOfAnotherHostOrAnotherPortIsAccepted() throws {
        let text = """
            listen = ["127.0.0.1:1162", "[::1]:1162"]
            [[relay]]
            name = "other-port"
            target = "127.0.0.1:1163"
            [[relay]]
            name = "other-host"
            target = "192.0.2.10:1162"
            [[relay]]
            name = "other-loopback"
            target = "127.0.0.2:1162"
            """
        #expect(try TrapMuxConfiguration.parse(text, file: "ok.toml").relays.count == 3)
        // IPv6 listeners are v6-only: [::] does not receive what is sent to 127.0.0.1.
        let v6only = "listen = [\"[::]:1162\"]\n[[relay]]\nname = \"v4\"\ntarget = \"127.0.0.1:1162\"\n"
        #expect(try TrapMuxConfiguration.parse(v6only, file: "ok.toml").relays.count == 1)
    }

    @Test func aListenAddressGivenOnTheCommandLineIsCheckedAgainstTheRelayTargets() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.file("relay.toml", Array("[[relay]]\nname = \"nms\"\ntarget = \"127.0.0.1:1162\"\n".utf8))
        var options = try ConfigurationOptions.parse(["--config", file.path, "--listen", "0.0.0.0:1162"])
        do {
            _ = try options.load()
            Issue.record("accepted a relay to the --listen address")
        } catch {
            let expected = "relay.target: \"127.0.0.1:1162\" is this server's own listen address 0.0.0.0:1162 (--listen): "
            #expect(error.description.hasPrefix("\(file.path):3: \(expected)"))
        }
        // The file's own default (0.0.0.0:162) is replaced by --listen, so the same relay is fine elsewhere.
        options = try ConfigurationOptions.parse(["--config", file.path, "--listen", "127.0.0.1:1163"])
        #expect(try options.load().relays.map(\.target) == ["127.0.0.1:1162"])
    }

    @Test func trapmuxServeRefusesARelayLoopWithExitStatus2() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let port = try FreePort.udp()
        let text = "[[relay]]\nname = \"self\"\ntarget = \"localhost:\(port)\"\n"
        let file = try folder.file("loop.toml", Array(text.utf8))
        let result = try await TrapMuxBinary.run(
            [
                "serve", "--config", file.path, "--listen", "127.0.0.1:\(port)",
                "--socket", folder.url.appendingPathComponent("s.sock").path,
            ],
            timeout: .seconds(20))
        #expect(result.exited(2), "\(result)")
        let expected = "relay.target: \"localhost:\(port)\" is this server's own listen address 127.0.0.1:\(port)"
        #expect(result.stderr.contains(expected), "\(result)")
    }

    @Test func aHostNameThatResolvesToAnOwnListenAddressIsRefusedWhenTargetsAreOpened() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // The configuration check cannot resolve names; opening the targets can. Both loopback families are
        // listened on, so whichever address "localhost" resolves to first is one of them.
        let port = try FreePort.udp()
        let relay = TrapMuxConfiguration.RelaySettings(name: "self", target: "localhost:\(port)")
        let listen = [HostPort(host: "127.0.0.1", port: port), HostPort(host: "::1", port: port)]
        do {
            let engine = USMLocalEngine(engineID: [0x80, 0, 0x1F, 0x88, 4, 1], boots: 1, at: 0)
            _ = try await RelayDispatcher.open(
                [relay], listen: listen, engine: engine, on: group.next(), logger: Logger(label: "test"))
            Issue.record("opened a relay to its own listen address")
        } catch let error as ConfigurationError {
            #expect(error.description.hasPrefix("configuration: relay self target: localhost:\(port) resolves to "))
            #expect(error.description.contains("so it is this server's own listen address"))
        }
        try await group.shutdownGracefully()
    }
}
