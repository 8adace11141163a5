import CoreMetrics
import Prometheus

/// The swift-metrics backend of trapmux's registry: swift-prometheus's, with the `# HELP` text of each metric.
///
/// `PrometheusMetricsFactory` registers every metric with an empty help text, and `promtool check metrics` refuses
/// metrics without one; a family's help cannot be added afterwards either (the registry stops the process when the
/// same name comes with another help text). So counters and gauges are made here through the registry's own API,
/// with the help text `help` gives for the name; everything else goes to swift-prometheus's factory unchanged.
package struct HelpTextMetricsFactory: MetricsFactory {
    private let registry: PrometheusCollectorRegistry
    private let plain: PrometheusMetricsFactory
    private let help: @Sendable (String) -> String

    /// A factory registering into `registry`, with `help(name)` as each metric's help text.
    package init(registry: PrometheusCollectorRegistry, help: @escaping @Sendable (String) -> String) {
        self.registry = registry
        self.plain = PrometheusMetricsFactory(registry: registry)
        self.help = help
    }

    package func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate else { return plain.makeRecorder(label: label, dimensions: dimensions, aggregate: true) }
        return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    package func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        plain.makeTimer(label: label, dimensions: dimensions)
    }

    /// The whole name as given (trapmux's names carry their prefix and unit already), with its help text.
    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help(name))
    }

    package func destroyCounter(_ handler: any CounterHandler) { plain.destroyCounter(handler) }
    package func destroyMeter(_ handler: any MeterHandler) { plain.destroyMeter(handler) }
    package func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        plain.destroyFloatingPointCounter(handler)
    }
    package func destroyRecorder(_ handler: any RecorderHandler) { plain.destroyRecorder(handler) }
    package func destroyTimer(_ handler: any TimerHandler) { plain.destroyTimer(handler) }
}
