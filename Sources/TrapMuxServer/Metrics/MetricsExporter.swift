import CoreMetrics
import Prometheus
import TrapDecoder
import SNMPSecurity

/// Turns snapshots of trapmux's own counters into swift-metrics counters and gauges on a swift-prometheus
/// registry, and renders that registry in the Prometheus text format (SPEC §11). One scrape at a time.
///
/// The owners' counters are cumulative; a swift-metrics counter only increments. So each scrape adds to a counter
/// what its source counted since the previous scrape. A source is a counter of the receive path, or one subscriber
/// connection's or relay target's: several subscribers under one name add up in one series, a subscriber that
/// reconnects continues its name's series, and a relay target replaced by a reload starts its own count without
/// taking the series back. What a subscriber delivered after the last scrape before it disconnected is not counted.
package actor MetricsExporter {
    /// Where a cumulative figure comes from.
    private enum Source: Hashable {
        case server(TrapMuxMetric, String)
        case subscriber(Int, TrapMuxMetric)
        case relay(ObjectIdentifier, TrapMuxMetric)

        var isEntity: Bool {
            if case .server = self { return false }
            return true
        }
    }

    /// A series: a metric and its label values, in a fixed order.
    private struct Series: Hashable {
        let metric: TrapMuxMetric
        let labels: [String]
    }

    /// The most subscriber names, and relay target names, with a series of their own (see `LabelBudget`).
    package static let labelLimit = 32

    private let registry = PrometheusCollectorRegistry()
    private let factory: HelpTextMetricsFactory
    private var counters: [Series: CoreMetrics.Counter] = [:]
    private var gauges: [Series: CoreMetrics.Gauge] = [:]
    private var last: [Source: UInt64] = [:]
    private var seen: Set<Source> = []
    private var subscriberNames = LabelBudget(limit: MetricsExporter.labelLimit)
    private var relayNames = LabelBudget(limit: MetricsExporter.labelLimit)
    private let version: String
    private let startTime: Double

    /// An exporter for a server of build `version` started at `startTime` (seconds since the epoch).
    package init(version: String, startTime: Double) {
        factory = HelpTextMetricsFactory(registry: registry) { name in TrapMuxMetric(rawValue: name)?.help ?? "" }
        self.version = version
        self.startTime = startTime
    }

    /// Applies `snapshot` to the metrics and renders every metric as Prometheus text.
    package func render(_ snapshot: MetricsSnapshot) -> [UInt8] {
        seen.removeAll(keepingCapacity: true)
        gauge(.buildInfo, ["version": version]).record(1)
        gauge(.pairRole, ["role": "primary"]).record(snapshot.isPrimary ? 1 : 0)
        gauge(.pairRole, ["role": "backup"]).record(snapshot.isPrimary ? 0 : 1)
        gauge(.startTime).record(startTime)
        applyReceive(snapshot)
        applySubscribers(snapshot)
        applyRelays(snapshot)
        for event in 101...106 {
            advance(.processEvents, ["event": "\(event)"], to: snapshot.processEvents[event] ?? 0)
        }
        // Subscribers and targets gone since the previous scrape: forget their last figures.
        last = last.filter { !$0.key.isEntity || seen.contains($0.key) }
        return registry.emitToBuffer()
    }

    private func applyReceive(_ snapshot: MetricsSnapshot) {
        advance(.datagrams, to: snapshot.datagrams)
        for (version, count) in snapshot.trapsByVersion {
            advance(.trapsByVersion, ["version": version], to: count)
        }
        for generic in GenericTrap.allCases where Int(generic.rawValue) < snapshot.trapsByGeneric.count {
            advance(.trapsByGeneric, ["generic": generic.name], to: snapshot.trapsByGeneric[Int(generic.rawValue)])
        }
        advance(.informsAnswered, to: snapshot.informsAnswered)
        for kind in TrapDecodingError.Kind.allCases {
            advance(.decodeErrors, ["kind": kind.rawValue], to: snapshot.decodeErrors[kind] ?? 0)
        }
        for kind in USMError.Kind.allCases {
            advance(.snmpv3Errors, ["counter": kind.rawValue], to: snapshot.snmpv3Errors[kind] ?? 0)
        }
        advance(.usmReportsSent, to: snapshot.reportsSent)
        advance(.communityRejected, to: snapshot.communityRejected)
        advance(.rateLimited, to: snapshot.rateLimited)
        advance(.relayLoopsDropped, to: snapshot.relayLoopsDropped)
        // Where /proc cannot be read the figure is absent: the series keeps its value.
        if let drops = snapshot.kernel.ownSocketDrops { advance(.kernelReceiveDrops, to: drops) }
        if let errors = snapshot.kernel.hostReceiveBufferErrors { advance(.hostReceiveBufferErrors, to: errors) }
        advance(.subscriberOverflowDisconnects, to: snapshot.sink.overflowDisconnects)
        advance(.memoryShed, to: snapshot.sink.memoryShed)
        advance(.connectionsRefused, to: snapshot.connections.refused)
        advance(.connectionsIdleClosed, to: snapshot.connections.idleClosed)
        gauge(.queuedBytes).record(snapshot.queuedBytes)
        gauge(.memoryBudget).record(snapshot.memoryBudgetBytes)
        gauge(.subscribers).record(snapshot.subscribers.count)
    }

    private func applySubscribers(_ snapshot: MetricsSnapshot) {
        var depth: [String: Int] = [:]
        for row in snapshot.subscribers {
            let name = subscriberNames.value(for: row.name)
            let labels: KeyValuePairs<String, String> = ["subscriber": name]
            advance(.subscriberDelivered, labels, source: .subscriber(row.id, .subscriberDelivered), to: row.delivered)
            advance(.subscriberDropped, labels, source: .subscriber(row.id, .subscriberDropped), to: row.dropped)
            depth[name, default: 0] += row.queueDepth
        }
        setAll(.subscriberQueueDepth, label: "subscriber", to: depth)
    }

    private func applyRelays(_ snapshot: MetricsSnapshot) {
        var depth: [String: Int] = [:]
        for row in snapshot.relays {
            let name = relayNames.value(for: row.name)
            let labels: KeyValuePairs<String, String> = ["target": name]
            let figures: [(TrapMuxMetric, UInt64)] = [
                (.relaySent, row.counters.sent), (.relayAcknowledged, row.counters.acknowledged),
                (.relayRetransmitted, row.counters.retransmitted), (.relayFailed, row.counters.failed),
                (.relaySendErrors, row.counters.sendErrors), (.relayDropped, row.counters.droppedByQueue),
            ]
            for (metric, value) in figures {
                advance(metric, labels, source: .relay(row.identity, metric), to: value)
            }
            depth[name, default: 0] += row.backlog
        }
        setAll(.relayQueueDepth, label: "target", to: depth)
    }

    // MARK: Instruments

    /// Adds to the series what `source` (by default the series itself) counted since the previous scrape.
    private func advance(
        _ metric: TrapMuxMetric, _ labels: KeyValuePairs<String, String> = [:], source: Source? = nil,
        to value: UInt64
    ) {
        let source = source ?? .server(metric, labels.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        let previous = last[source] ?? 0
        // Less than before: the source started again (a reload's new relay target); all of it is new.
        let delta = value >= previous ? value - previous : value
        last[source] = value
        seen.insert(source)
        counter(metric, labels).increment(by: Int64(clamping: delta))
    }

    /// Sets every series of a gauge labelled `label`: those in `values`, and those seen before to 0.
    private func setAll(_ metric: TrapMuxMetric, label: String, to values: [String: Int]) {
        for series in gauges.keys where series.metric == metric && values[series.labels[0]] == nil {
            gauges[series]?.record(0)
        }
        for (value, total) in values {
            gauge(metric, [label: value]).record(total)
        }
    }

    private func counter(_ metric: TrapMuxMetric, _ labels: KeyValuePairs<String, String>) -> CoreMetrics.Counter {
        Self.instrument(metric, labels, in: &counters) { CoreMetrics.Counter(label: $0, dimensions: $1, factory: factory) }
    }

    private func gauge(_ metric: TrapMuxMetric, _ labels: KeyValuePairs<String, String> = [:]) -> CoreMetrics.Gauge {
        Self.instrument(metric, labels, in: &gauges) { CoreMetrics.Gauge(label: $0, dimensions: $1, factory: factory) }
    }

    /// The instrument of a series, made (and registered) the first time it is asked for.
    private static func instrument<Instrument>(
        _ metric: TrapMuxMetric, _ labels: KeyValuePairs<String, String>, in made: inout [Series: Instrument],
        make: (String, [(String, String)]) -> Instrument
    ) -> Instrument {
        let series = Series(metric: metric, labels: labels.map(\.value))
        if let existing = made[series] { return existing }
        let instrument = make(metric.rawValue, labels.map { ($0.key, $0.value) })
        made[series] = instrument
        return instrument
    }
}
