import Foundation
import Testing
import TrapDecoder

@testable import TrapMuxServer
@testable import TrapEvents
import SNMPSecurity

/// SPEC §11: `GET /metrics` in the Prometheus text format, its values read from the server's own counters at scrape
/// time; real scrapes over HTTP on loopback, checked by promtool and prometheus_client where installed.
@Suite("Prometheus metrics")
struct MetricsTests {
    /// A server with the endpoint on a free port that received 2 v1 linkDown, 1 v2c coldStart and 1 datagram with a
    /// trailing octet, delivered to a subscriber named "nms" and relayed to a target named "upstream".
    private static func busyServer() async throws -> (RunningServer, Int, TestSubscriber) {
        let port = try FreePort.tcp()
        let upstream = try UDPSink()
        let server = try await RunningServer(
            configuration: """
                [mibs]
                enabled = false
                [metrics]
                listen = "127.0.0.1:\(port)"
                [[relay]]
                name = "upstream"
                target = "127.0.0.1:\(upstream.port)"
                """)
        let subscriber = try server.connect()
        try subscriber.subscribe(#"{"name": "nms", "format": "json", "process_events": false, "queue": 50}"#)
        try server.send([TestTraps.v1(.linkDown), TestTraps.v1(.linkDown), TestTraps.v2c(.coldStart)])
        try server.send([Datagrams.v1LinkDown + [0x00]])
        _ = try subscriber.readTraps(3)
        #expect(upstream.receive(count: 3).count == 3)
        // The caller keeps the subscriber connected while it scrapes.
        return (server, port, subscriber)
    }

    @Test func aScrapeShowsTheServersOwnCountersByVersionGenericAndKind() async throws {
        let (server, port, subscriber) = try await Self.busyServer()
        defer { withExtendedLifetime(subscriber) {} }
        let response = try HTTPGet.request(port: port, path: "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let samples = PrometheusText.samples(response.text)
        #expect(samples[#"trapmux_datagrams_received_total"#] == 4)
        #expect(samples[#"trapmux_traps_received_total{version="1"}"#] == 2)
        #expect(samples[#"trapmux_traps_received_total{version="2c"}"#] == 1)
        #expect(samples[#"trapmux_traps_received_total{version="3"}"#] == 0)
        #expect(samples[#"trapmux_traps_received_by_generic_total{generic="linkDown"}"#] == 2)
        #expect(samples[#"trapmux_traps_received_by_generic_total{generic="coldStart"}"#] == 1)
        #expect(samples[#"trapmux_decode_errors_total{kind="trailingBytes"}"#] == 1)
        #expect(samples[#"trapmux_snmpv3_errors_total{counter="usmStatsWrongDigests"}"#] == 0)
        #expect(samples[#"trapmux_subscriber_delivered_total{subscriber="nms"}"#] == 3)
        #expect(samples[#"trapmux_subscriber_queue_depth{subscriber="nms"}"#] == 0)
        #expect(samples[#"trapmux_subscribers"#] == 1)
        #expect(samples[#"trapmux_relay_sent_total{target="upstream"}"#] == 3)
        #expect(samples[#"trapmux_relay_queue_depth{target="upstream"}"#] == 0)
        #expect(samples[#"trapmux_process_events_total{event="102"}"#] == 1)
        #expect(samples[#"trapmux_pair_role{role="primary"}"#] == 1)
        #expect(samples[#"trapmux_build_info{version="\#(try await Self.version())"}"#] == 1)
        // Every metric of the catalogue is there, with its help text, under its own name.
        for metric in TrapMuxMetric.allCases {
            #expect(response.text.contains("# HELP \(metric.rawValue) "), "\(metric)")
            #expect(response.text.contains("# TYPE \(metric.rawValue) \(metric.isCounter ? "counter" : "gauge")\n"))
        }
        let second = PrometheusText.samples(try HTTPGet.request(port: port, path: "/metrics").text)
        #expect(second[#"trapmux_traps_received_total{version="1"}"#] == 2, "a second scrape counts nothing twice")
        _ = await server.stop()
    }

    @Test(.enabled(if: ExternalTool.find("promtool") != nil, "promtool (Debian: prometheus) is installed"))
    func promtoolFindsNothingToCriticise() async throws {
        let (server, port, subscriber) = try await Self.busyServer()
        defer { withExtendedLifetime(subscriber) {} }
        let text = try HTTPGet.request(port: port, path: "/metrics").body
        _ = await server.stop()
        let promtool = try #require(ExternalTool.find("promtool"))
        let result = try await ChildProcess.run(promtool, ["check", "metrics"], standardInput: .bytes(text))
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result)")
    }

    @Test(.enabled("python3 with prometheus_client is installed") { await ExternalTool.pythonHas("prometheus_client") })
    func prometheusClientParsesEveryFamilyWithItsType() async throws {
        let (server, port, subscriber) = try await Self.busyServer()
        defer { withExtendedLifetime(subscriber) {} }
        let text = try HTTPGet.request(port: port, path: "/metrics").body
        _ = await server.stop()
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: [f.type, len(f.samples)] for f in text_string_to_metric_families(sys.stdin.read())}
            print(json.dumps(families))
            """
        let python = try #require(ExternalTool.find("python3"))
        let result = try await ChildProcess.run(python, ["-c", script], standardInput: .bytes(text))
        #expect(result.exited(0), "\(result)")
        let families = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: [Any]])
        for metric in TrapMuxMetric.allCases {
            // prometheus_client names a counter's family without its _total suffix.
            let family = metric.isCounter ? String(metric.rawValue.dropLast("_total".count)) : metric.rawValue
            #expect(families[family]?.first as? String == (metric.isCounter ? "counter" : "gauge"), "\(metric)")
        }
    }

    @Test func otherPathsAndMethodsAreRefused() async throws {
        let port = try FreePort.tcp()
        let server = try await RunningServer(
            configuration: "[mibs]\nenabled = false\n[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
        #expect(try HTTPGet.request(port: port, path: "/").status == 404)
        #expect(try HTTPGet.request("POST", port: port, path: "/metrics").status == 405)
        let head = try HTTPGet.request("HEAD", port: port, path: "/metrics")
        #expect(head.status == 200 && head.body.isEmpty)
        _ = await server.stop()
    }

    @Test func withoutMetricsListenNothingListens() async throws {
        let server = try await RunningServer()
        #expect(!server.standardError.contains("metrics endpoint ready"))
        _ = await server.stop()
    }

    private static func version() async throws -> String {
        try await TrapMuxBinary.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The exporter without sockets: what a series shows after a sequence of snapshots.
@Suite("metrics exporter")
struct MetricsExporterTests {
    private final class Target {}

    private static func snapshot(
        subscribers: [(Int, String, UInt64)] = [], relays: [(ObjectIdentifier, String, UInt64)] = [], v1: UInt64 = 0
    ) -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        snapshot.trapsByVersion = [("1", v1)]
        snapshot.subscribers = subscribers.map {
            .init(id: $0.0, name: $0.1, delivered: $0.2, dropped: 0, queueDepth: Int($0.2 % 7))
        }
        snapshot.relays = relays.map { row in
            var counters = RelayTarget.Counters()
            counters.sent = row.2
            return .init(identity: row.0, name: row.1, counters: counters, backlog: 0)
        }
        return snapshot
    }

    private static func render(_ exporter: MetricsExporter, _ snapshot: MetricsSnapshot) async -> [String: Double] {
        PrometheusText.samples(String(decoding: await exporter.render(snapshot), as: UTF8.self))
    }

    @Test func countersAddWhatEachSourceCountedSinceTheLastScrape() async {
        let exporter = MetricsExporter(version: "test", startTime: 0)
        let delivered = #"trapmux_subscriber_delivered_total{subscriber="nms"}"#
        var samples = await Self.render(exporter, Self.snapshot(subscribers: [(1, "nms", 5)], v1: 10))
        #expect(samples[delivered] == 5)
        // Two connections under one name add up; a second connection's count is new.
        samples = await Self.render(exporter, Self.snapshot(subscribers: [(1, "nms", 8), (2, "nms", 2)], v1: 12))
        #expect(samples[delivered] == 10)
        #expect(samples[#"trapmux_traps_received_total{version="1"}"#] == 12)
        // The first connection left: the series keeps what it counted and goes on with the second.
        samples = await Self.render(exporter, Self.snapshot(subscribers: [(2, "nms", 3)], v1: 12))
        #expect(samples[delivered] == 11)
        #expect(samples[#"trapmux_subscriber_queue_depth{subscriber="nms"}"#] == 3)
        samples = await Self.render(exporter, Self.snapshot(v1: 12))
        #expect(samples[delivered] == 11)
        #expect(samples[#"trapmux_subscriber_queue_depth{subscriber="nms"}"#] == 0)
    }

    @Test func aRelayTargetReplacedByAReloadContinuesItsNamesSeries() async {
        let exporter = MetricsExporter(version: "test", startTime: 0)
        let (old, new) = (Target(), Target())
        let sent = #"trapmux_relay_sent_total{target="nms"}"#
        var samples = await Self.render(exporter, Self.snapshot(relays: [(ObjectIdentifier(old), "nms", 100)]))
        #expect(samples[sent] == 100)
        samples = await Self.render(exporter, Self.snapshot(relays: [(ObjectIdentifier(new), "nms", 4)]))
        #expect(samples[sent] == 104)
        withExtendedLifetime((old, new)) {}
    }

    @Test func namesBeyondTheLimitShareTheSeriesOther() async {
        let exporter = MetricsExporter(version: "test", startTime: 0)
        let many = (0..<(MetricsExporter.labelLimit + 8)).map { ($0, "client-\($0)", UInt64(1)) }
        let samples = await Self.render(exporter, Self.snapshot(subscribers: many))
        let series = samples.keys.filter { $0.hasPrefix("trapmux_subscriber_delivered_total{") }
        #expect(series.count == MetricsExporter.labelLimit + 1)
        #expect(samples[#"trapmux_subscriber_delivered_total{subscriber="other"}"#] == 8)
    }

    @Test(arguments: [("", "unnamed"), ("a\nb\u{7}c", "a_b_c"), (String(repeating: "x", count: 100), String(repeating: "x", count: 64))])
    func labelValuesAreCleaned(_ name: String, _ expected: String) {
        var budget = LabelBudget(limit: 4)
        #expect(budget.value(for: name) == expected)
    }
}

/// Reads the samples of Prometheus text: `name{labels}` → value.
enum PrometheusText {
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
