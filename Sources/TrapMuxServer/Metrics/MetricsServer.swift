import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import TrapDecoder
import TrapEvents

/// The Prometheus endpoint as a service (SPEC §11): a small HTTP/1.1 server for `GET /metrics` on `[metrics] listen`,
/// bound with the bind retry policy of every other socket.
///
/// It runs on an event loop of its own, so parsing requests and rendering text never takes the receive loop's time:
/// that loop only copies its counters, once per scrape (`MetricsEndpoint`).
package struct MetricsServer: Service {
    /// Connections served at once; more are closed at once (a scraper needs one).
    package static let maximumConnections = 16
    /// A connection that sends no complete request, or does not take its answer, this long is closed.
    package static let idleTimeout: TimeAmount = .seconds(10)

    package let address: HostPort
    package let endpoint: MetricsEndpoint
    package let retry: BindRetry
    package let logger: Logger

    package init(address: HostPort, endpoint: MetricsEndpoint, retry: BindRetry, logger: Logger) {
        self.address = address
        self.endpoint = endpoint
        self.retry = retry
        self.logger = logger
    }

    package func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let channel = try await cancelWhenGracefulShutdown {
            try await retry.run("\(address) (metrics)") { try await bind(on: group) }
        }
        let bound = channel.localAddress.map { "\($0)" } ?? "\(address)"
        logger.info("metrics endpoint ready", metadata: ["metrics.address": "\(bound)", "metrics.path": "/metrics"])
        try? await gracefulShutdown()
        try? await channel.close()
    }

    private func bind(on group: EventLoopGroup) async throws -> Channel {
        let endpoint = self.endpoint
        let open = NIOLockedValueBox(0)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count in
                    guard count < Self.maximumConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(IdleStateHandler(allTimeout: Self.idleTimeout))
                    try pipeline.addHandler(MetricsHTTPHandler(endpoint: endpoint))
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
    }
}
