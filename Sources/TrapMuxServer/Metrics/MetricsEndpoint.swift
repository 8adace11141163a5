import NIOCore
import NIOPosix
import TrapDecoder
import TrapEvents

/// What `GET /metrics` answers: one hop onto the event loop that owns the counters to copy them, the kernel's
/// figures read from /proc on NIO's thread pool, the process events counted by the reporter, rendered by the
/// exporter. Nothing of this runs until someone scrapes.
package struct MetricsEndpoint: Sendable {
    package let sources: NIOLoopBound<MetricsSnapshot.Sources>
    /// The UDP ports listened on, for the kernel's drop counters of those sockets.
    package let listenPorts: Set<Int>
    package let reporter: ProcessEventReporter
    package let exporter: MetricsExporter

    package init(
        sources: NIOLoopBound<MetricsSnapshot.Sources>, listenPorts: Set<Int>, reporter: ProcessEventReporter,
        exporter: MetricsExporter
    ) {
        self.sources = sources
        self.listenPorts = listenPorts
        self.reporter = reporter
        self.exporter = exporter
    }

    /// The Prometheus text of every metric, as of now.
    package func scrape() async throws -> [UInt8] {
        let sources = self.sources
        var snapshot = try await sources.eventLoop.submit { MetricsSnapshot(reading: sources.value) }.get()
        let ports = listenPorts
        snapshot.kernel = try await NIOThreadPool.singleton.runIfActive { KernelUDPCounters.read(listenPorts: ports) }
        snapshot.processEvents = reporter.announced
        return await exporter.render(snapshot)
    }
}
