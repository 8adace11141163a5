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

/// `trapmux serve` end to end: real UDP on 127.0.0.1, real Unix sockets, the built binary.
@Suite(.serialized) struct ServerTests {
    @Test func everyGenericTrapInBothVersionsReachesASubscriberWithItsFieldsAndText() async throws {
        let server = try await RunningServer(name: "mux1")
        let subscriber = try server.connect()
        let answer = try subscriber.subscribe()
        #expect((answer["subscribed"] as? [String: Any])?["id"] != nil)

        let generics = GenericTrap.allCases
        try server.send(generics.map { TestTraps.v1($0, specific: 9) } + generics.map { TestTraps.v2c($0) })
        let events = try subscriber.readTraps(generics.count * 2)
        var lastSeq = 0
        for (index, event) in events.enumerated() {
            let generic = generics[index % generics.count]
            let isV1 = index < generics.count
            #expect(event["version"] as? String == (isV1 ? "1" : "2c"))
            #expect(event["pdu_type"] as? String == (isV1 ? "trap-v1" : "trap-v2"))
            #expect(event["generic_trap"] as? Int == Int(generic.rawValue))
            #expect(event["generic_name"] as? String == generic.name)
            #expect((event["source"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(event["community"] as? String == "public")
            #expect(event["community_hex"] as? String == "7075626c6963")
            #expect(event["time_stamp"] as? Int == 4242)
            let seq = event["seq"] as? Int ?? 0
            #expect(seq > lastSeq)
            lastSeq = seq
            let receivedAt = event["received_at"] as? String ?? ""
            #expect(receivedAt.count == 27 && receivedAt.hasSuffix("Z"))
            let text = event["text"] as? String ?? ""
            #expect(text.hasPrefix("\(generic.title) SNMP-Trap-Multiplexer mux1, Version: \(isV1 ? 0 : 1), Community: public "))
            #expect(text.hasSuffix("(varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2)"))
            if isV1 {
                #expect(event["enterprise"] as? String == "1.3.6.1.4.1.8072.3.2.10")
                #expect(event["agent_addr"] as? String == "192.0.2.7")
                let expectedOID = generic == .enterpriseSpecific
                    ? "1.3.6.1.4.1.8072.3.2.10.0.9" : "1.3.6.1.6.3.1.1.5.\(generic.rawValue + 1)"
                #expect(event["trap_oid"] as? String == expectedOID)
            } else {
                #expect(event["request_id"] as? Int == 7)
                #expect(event["agent_addr"] as? String == "127.0.0.1")
                #expect((event["varbinds"] as? [Any])?.count == 3)
                if generic == .enterpriseSpecific {
                    #expect(event["enterprise"] as? String == "1.3.6.1.4.1.8072.2.3")
                    #expect(event["specific_trap"] as? Int == 17)
                }
            }
        }
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
    }

    @Test func textSubscribersGetTheOperatorMessage() async throws {
        let server = try await RunningServer(name: "edge")
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "text", "process_events": false}"#)
        try server.send([TestTraps.v1(.linkDown)])
        #expect(
            try subscriber.readLine()
                == "Link Down Trap SNMP-Trap-Multiplexer edge, Version: 0, Community: public Enterprise: 1.3.6.1.4.1.8072.3.2.10 Network addr:192.0.2.7 Generic trap: 2, Specific trap: 0 Time ticks: 4242 (varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2)")
        _ = await server.stop()
    }

    @Test func filtersDeliverOnlyMatchingEvents() async throws {
        let server = try await RunningServer()
        let linkOnly = try server.connect()
        try linkOnly.subscribe(#"{"process_events": false, "filter": {"generic": ["linkDown", 3], "version": ["2c"]}}"#)
        let bySource = try server.connect()
        try bySource.subscribe(#"{"process_events": false, "filter": {"source": ["10.0.0.0/8"]}}"#)
        let byCommunity = try server.connect()
        try byCommunity.subscribe(#"{"process_events": false, "filter": {"community": ["ops"], "enterprise": ["1.3.6.1.4.1.8072"]}}"#)

        try server.send([
            TestTraps.v1(.linkDown), TestTraps.v2c(.coldStart), TestTraps.v2c(.linkDown, requestID: 1),
            TestTraps.v1(.coldStart, community: "ops"), TestTraps.v2c(.linkUp, requestID: 2),
        ])
        let links = try linkOnly.readTraps(2)
        #expect(links.map { $0["request_id"] as? Int } == [1, 2])
        let ops = try byCommunity.readTraps(1)
        #expect(ops[0]["community"] as? String == "ops")
        // The source filter matches nothing from 127.0.0.1: the next line it gets is the pong.
        try bySource.send(#"{"ping": {}}"#)
        #expect(try bySource.readObject()["pong"] != nil)
        _ = await server.stop()
    }

    @Test func slowSubscriberDoesNotDelayOthersAndIsToldWhatItMissed() async throws {
        let server = try await RunningServer()
        let stopped = try server.connect()
        try stopped.subscribe(#"{"name": "stopped", "queue": 20, "process_events": false}"#)
        let reader = try server.connect()
        try reader.subscribe(#"{"name": "reader", "process_events": false}"#)

        let total = 4000
        #expect(try await sendLinkDowns(total, to: server, readingWith: reader) == Array(0..<total))

        // The stopped subscriber's queue overflowed; when it reads, it learns how much it lost.
        var sawDropped = false
        var trapsRead = 0
        while !sawDropped && trapsRead < total {
            let object = try stopped.readObject()
            if object["type"] as? String == "dropped" {
                sawDropped = true
                #expect((object["count"] as? Int ?? 0) > 0)
                #expect((object["first_seq"] as? Int ?? 0) <= (object["last_seq"] as? Int ?? -1))
            } else {
                trapsRead += 1
            }
        }
        #expect(sawDropped)
        _ = await server.stop()
    }

    @Test func aStoppedSubscriberPaysForTheMemoryBudgetNotTheReaders() async throws {
        // 2 MiB holds about 2,600 lines: less than the stopped subscriber would queue from 8,000 traps (its socket,
        // with its 1 MiB send buffer, takes about a thousand), more than a reader lags behind by on a loaded machine.
        let server = try await RunningServer(
            configuration: "[subscribers]\nmemory_budget_bytes = 2097152\ndefault_queue = 100000\nmax_queue = 100000\n"
                + "[mibs]\nenabled = false\n")
        let stopped = try server.connect()
        try stopped.subscribe(#"{"name": "stopped", "process_events": false}"#)
        let reader = try server.connect()
        try reader.subscribe(#"{"name": "reader", "process_events": false}"#)

        let total = 8000
        #expect(try await sendLinkDowns(total, to: server, readingWith: reader) == Array(0..<total))

        let stats = try server.connect()
        try stats.send(#"{"stats": {}}"#)
        let counters = try stats.readObject()["stats"] as? [String: Any]
        let subscribers = counters?["subscribers"] as? [[String: Any]] ?? []
        let dropped = Dictionary(uniqueKeysWithValues: subscribers.map { ($0["name"] as? String ?? "", $0["dropped"] as? Int ?? -1) })
        #expect((counters?["memory_shed"] as? Int ?? 0) > 0)
        #expect(dropped["reader"] == 0)
        #expect((dropped["stopped"] ?? 0) > 0)
        #expect((counters?["queued_bytes"] as? Int ?? Int.max) <= 2_097_152)
        _ = await server.stop()
    }

    @Test func aSubscriberKilledMidStreamDoesNotDisturbTheOthers() async throws {
        let server = try await RunningServer()
        let survivor = try server.connect()
        try survivor.subscribe()
        do {
            let victim = try server.connect()
            try victim.subscribe()
            try server.send([TestTraps.v1(.linkUp)])
            _ = try victim.readTraps(1)
        }  // the victim's socket closes here, unannounced
        try server.send((0..<200).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) })
        let events = try survivor.readTraps(201)
        #expect(events.last?["request_id"] as? Int == 199)
        let stats = try server.connect()
        try stats.send(#"{"stats": {}}"#)
        let counters = try stats.readObject()["stats"] as? [String: Any]
        // Only the survivor is still subscribed; the stats connection is not a subscriber.
        #expect((counters?["subscribers"] as? [Any])?.count == 1)
        _ = await server.stop()
    }

    @Test func informsAreAnsweredWithTheirRequestIDAndVarbinds() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let client = try UDPClient(to: HostPort(host: "127.0.0.1", port: server.port))
        let inform = TestTraps.v2c(.warmStart, requestID: 31337, inform: true)
        try client.send(inform)
        let reply = try #require(try client.receive(timeout: 5))
        // The Response-PDU: version 1, community, tag 0xA2, request-id, 0, 0, the same varbinds.
        let sent = try TrapMessage(decoding: inform)
        guard case .inform(let pdu) = sent.pdu else { Issue.record("not an inform"); return }
        var writer = BERWriter()
        writer.constructed(BERTag.sequence) { message in
            message.integer(1)
            message.primitive(BERTag.octetString, Array("public".utf8))
            message.constructed(BERTag.response) { body in
                body.integer(31337)
                body.integer(0)
                body.integer(0)
                body.varbinds(pdu.varbinds)
            }
        }
        #expect(reply == writer.bytes)
        let event = try subscriber.readTraps(1)[0]
        #expect(event["pdu_type"] as? String == "inform")

        let send = try await TrapMuxBinary.run(
            ["send", "--to", "127.0.0.1:\(server.port)", "--generic", "coldStart", "--snmp-version", "2c", "--inform"])
        #expect(send.exited(0), "\(send)")
        #expect(send.stdout.contains("inform acknowledged"))
        _ = await server.stop()
    }

    @Test func malformedDatagramsAreCountedWhileValidOnesKeepFlowing() async throws {
        let server = try await RunningServer()
        let subscriber = try server.connect()
        try subscriber.subscribe()
        let garbage: [[UInt8]] = [[0x30, 0x80, 0x02, 0x01, 0x00], [0xFF, 0xFF], Array(TestTraps.v1(.linkUp).dropLast(3))]
        try server.send(garbage + [TestTraps.v1(.linkDown)] + garbage + [TestTraps.v2c(.linkUp)])
        let events = try subscriber.readTraps(2)
        #expect(events.map { $0["generic_name"] as? String } == ["linkDown", "linkUp"])
        let stats = try server.connect()
        try stats.send(#"{"stats": {}}"#)
        let counters = try #require(try stats.readObject()["stats"] as? [String: Any])
        let errors = try #require(counters["decode_errors"] as? [String: Int])
        #expect(errors.values.reduce(0, +) == 6)
        #expect(errors["indefiniteLength"] == 2)
        let result = await server.stop()
        // Logged once per source per minute, with the reason and the offset.
        let warnings = result.stderrLines.filter { $0.contains("malformed datagram") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("error.offset=") == true)
    }

    @Test func sigtermEndsWithTerminationRequestAndExitZero() async throws {
        let server = try await RunningServer(name: "stopper")
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"format": "json", "process_events": true}"#)
        let result = await server.stop()
        #expect(result.exited(0), "\(result)")
        let expected =
            "Object unavailable SNMP-Trap-Multiplexer stopper, event number: Process-Terminated cause: Termination-request, previous state: started, current state: not-running, user content: undefined"
        #expect(result.stderr.contains(expected))
        #expect(result.stderr.contains(
            "Object available SNMP-Trap-Multiplexer stopper, event number: Process-Started, reason: Process-Started previous state: not-running, current state: started, user content: undefined"))
        let event = try subscriber.readObject()
        #expect(event["type"] as? String == "process")
        #expect(event["event"] as? Int == 101)
        #expect(event["cause"] as? String == "Termination-request")
        #expect(event["text"] as? String == expected)
    }

    @Test func aPortInUseIsReportedRetriedAndThenAbortsWithExitOne() async throws {
        let port = try FreePort.udp()
        let holder = FreePort.occupy(port)
        defer { close(holder) }
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try folder.file("c.toml", Array("retry_interval = \"200ms\"\nretry_period = \"1s\"\n".utf8))
        let result = try await TrapMuxBinary.run(
            ["serve", "--config", config.path, "--listen", "127.0.0.1:\(port)", "--socket", folder.url.path + "/s.sock",
             "--name", "busy"],
            timeout: .seconds(30))
        #expect(result.exited(1), "\(result)")
        let faults = result.stderrLines.filter { $0.contains("event number: Process-I/O error") }
        #expect(faults.count >= 3)
        #expect(faults.first?.contains("FS error: \(EADDRINUSE)") == true)
        #expect(faults.first?.contains("file name: 127.0.0.1:\(port)") == true)
        #expect(result.stderr.contains("Process-Terminated cause: Process-aborted"))
        #expect(!result.stderr.contains("Process-Started"))
    }

    @Test func aBadConfigurationExitsTwoNamingFileLineAndKey() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try folder.file("bad.toml", Array("name = \"x\"\n\n[subscribers]\nmax_queue = \"lots\"\n".utf8))
        let result = try await TrapMuxBinary.run(["serve", "--config", config.path])
        #expect(result.exited(2))
        #expect(result.stderr.contains("\(config.path):4: subscribers.max_queue: expected an integer"))
        let check = try await TrapMuxBinary.run(["check-config", config.path])
        #expect(check.exited(2))
    }

    @Test func theSocketGetsItsModeAndRefusesPeersOutsideTheAllowList() async throws {
        let server = try await RunningServer(
            configuration: "[subscribers]\nsocket_mode = \"0600\"\nallowed_uids = [4242424]\nallowed_gids = [4242424]\n")
        var status = stat()
        #expect(stat(server.socketPath, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let refused = try server.connect()
        let answer = try refused.readObject()
        #expect((answer["error"] as? [String: Any])?["code"] as? String == "forbidden")
        #expect(throws: (any Error).self) { _ = try refused.readLine() }
        _ = await server.stop()
    }

    @Test func aLiveSocketIsNeverStolenAndAStaleOneIsReplaced() async throws {
        let first = try await RunningServer()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try folder.file("c.toml", Array("retry_interval = \"200ms\"\nretry_period = \"600ms\"\n".utf8))
        let second = try await TrapMuxBinary.run(
            ["serve", "--config", config.path, "--listen", "127.0.0.1:\(try FreePort.udp())", "--socket", first.socketPath])
        #expect(second.exited(1), "\(second)")
        #expect(second.stderr.contains("file name: \(first.socketPath)"))
        // The first server still serves its socket.
        let subscriber = try first.connect()
        try subscriber.send(#"{"ping": {}}"#)
        #expect(try subscriber.readObject()["pong"] != nil)
        _ = await first.stop()

        // A socket file left by a dead process is replaced.
        let stalePath = folder.url.appendingPathComponent("stale.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: stalePath.utf8)
            raw[stalePath.utf8.count] = 0
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: stalePath))
        let third = try await RunningServer(socketPath: stalePath)
        let client = try TestSubscriber(path: stalePath)
        try client.send(#"{"ping": {}}"#)
        #expect(try client.readObject()["pong"] != nil)
        _ = await third.stop()
    }
}

extension ServerTests {
    /// Sends `count` v2c linkDowns (request-ids 0…count−1) from a thread of their own while `reader` reads them;
    /// returns the request-ids in the order the reader got them.
    func sendLinkDowns(_ count: Int, to server: RunningServer, readingWith reader: TestSubscriber) async throws -> [Int] {
        let datagrams = (0..<count).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }
        let sender = BackgroundThread { try server.send(datagrams) }
        let received = try reader.readTraps(count)
        try await sender.value()
        return received.map { $0["request_id"] as? Int ?? -1 }
    }

    /// Shutdown takes at most drain_timeout (plus a little) after SIGTERM, even with a subscriber that reads
    /// nothing and a reload whose relay targets are still retiring.
    @Test(.timeLimit(.minutes(1)))
    func shutdownEndsWithinTheDrainTimeoutOfSIGTERM() async throws {
        let config = "drain_timeout = \"1s\"\n[mibs]\nenabled = false\n"
        let server = try await RunningServer(configuration: config)
        let stuck = try RawSocket(path: server.socketPath)
        _ = stuck.trySend(Array(#"{"subscribe": {"format": "json"}}"#.utf8) + [0x0A])
        try await Task.sleep(for: .milliseconds(200))
        try server.send((0..<3_000).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }, perBurst: 100)
        try server.reload(with: config + "[[relay]]\nname = \"a\"\ntarget = \"127.0.0.1:9\"\nmode = \"inform\"\n")
        let start = ContinuousClock.now
        server.process.signal(SIGTERM)
        let result = await server.process.wait(timeout: .seconds(10))
        let took = ContinuousClock.now - start
        #expect(result.exited(0), "\(result)")
        #expect(took < .milliseconds(1_600), "shutdown took \(took)")
        stuck.close()
    }

    /// stats reports what the kernel dropped on this server's own sockets, apart from the host-wide figure.
    @Test(.timeLimit(.minutes(1)))
    func kernelDropsOfTheOwnSocketsAreCountedApartFromTheHostsFigure() async throws {
        let server = try await RunningServer(configuration: "receive_buffer_bytes = 4096\n[mibs]\nenabled = false\n")
        server.process.signal(SIGSTOP)
        try server.send((0..<2_000).map { TestTraps.v2c(.linkDown, requestID: Int32($0)) }, perBurst: 500)
        server.process.signal(SIGCONT)
        let connection = try server.connect()
        try connection.send(#"{"stats": {}}"#)
        let stats = try connection.readObject()["stats"] as? [String: Any] ?? [:]
        let own = stats["kernel_receive_drops"] as? Int ?? -1
        let datagrams = stats["datagrams"] as? Int ?? -1
        #expect(own > 0 && own + datagrams == 2_000, "own drops \(own), datagrams \(datagrams)")
        #expect(stats["host_udp_rcvbuf_errors"] is Int)
        #expect(stats["kernel_udp_rcvbuf_errors"] == nil)
        _ = await server.stop()
    }
}
