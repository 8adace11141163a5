import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TrapDecoder
import TrapEvents

/// The UDP listeners as a service: one datagram channel per configured address, batched reads (recvmmsg),
/// buffers sized for 65,535-byte datagrams, SO_RCVBUF from the configuration.
package struct TrapListener: Service {
    /// Datagrams read per recvmmsg call.
    package static let messagesPerRead = 64
    /// Bytes per message slot of the read buffer: the largest UDP payload fits whole.
    package static let bytesPerMessage = 65_536

    package let addresses: [HostPort]
    package let receiveBufferBytes: Int
    /// What every listener channel shares, confined to the router's event loop.
    package let parts: NIOLoopBound<Parts>
    package let retry: BindRetry
    package let gate: StartupGate
    /// A pair's shared sockets (SPEC §14); nil binds through NIO as a single server.
    package let sockets: SharedSockets?
    package let logger: Logger

    package init(
        addresses: [HostPort], receiveBufferBytes: Int, parts: NIOLoopBound<Parts>, retry: BindRetry, gate: StartupGate,
        sockets: SharedSockets? = nil, logger: Logger
    ) {
        self.addresses = addresses
        self.receiveBufferBytes = receiveBufferBytes
        self.parts = parts
        self.retry = retry
        self.gate = gate
        self.sockets = sockets
        self.logger = logger
    }

    package func run() async throws {
        var channels: [Channel] = []
        do {
            for address in addresses {
                // A pair's backup waits here until it takes over; nil when the server stops first.
                guard let channel = try await retry.run(address.description, { try await bind(address) }) else {
                    for channel in channels { try? await channel.close() }
                    try? await gracefulShutdown()
                    return
                }
                channels.append(channel)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        await gate.ready(.listeners)

        try? await gracefulShutdown()
        for channel in channels {
            try? await channel.close()
        }
        logger.info("listeners closed")
    }

    private func bind(_ address: HostPort) async throws -> Channel? {
        let parts = self.parts
        let logger = self.logger
        var bootstrap = DatagramBootstrap(group: parts.eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: Self.messagesPerRead)
            .channelOption(
                .recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.messagesPerRead * Self.bytesPerMessage))
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferBytes))
        if address.host.contains(":") {
            // Lets [::]:162 and 0.0.0.0:162 be bound side by side.
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        bootstrap = bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(DatagramHandler(parts.value, logger: logger))
            }
        }
        let channel: Channel
        if let sockets {
            guard let fd = try await sockets.udpSocket(for: address, receiveBufferBytes: receiveBufferBytes) else {
                return nil
            }
            channel = try await bootstrap.withBoundSocket(fd).get()
        } else {
            channel = try await bootstrap.bind(host: address.host, port: address.port).get()
        }
        var granted = (try? await channel.getOption(.socketOption(.so_rcvbuf)).get()).map { Int($0) } ?? 0
        // Linux grants twice the request (bookkeeping overhead) unless net.core.rmem_max caps it.
        if granted < receiveBufferBytes * 2 {
            // net.core.rmem_max caps SO_RCVBUF (Debian's default is 208 KiB, which a trap storm fills in
            // milliseconds); with CAP_NET_ADMIN, SO_RCVBUFFORCE sets the configured size regardless.
            let force = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_RCVBUFFORCE))
            if (try? await channel.setOption(force, value: SocketOptionValue(receiveBufferBytes)).get()) != nil {
                granted = (try? await channel.getOption(.socketOption(.so_rcvbuf)).get()).map { Int($0) } ?? granted
            }
        }
        var metadata: Logger.Metadata = [
            "listen.address": "\(address)", "receive_buffer.requested": "\(receiveBufferBytes)",
            "receive_buffer.granted": "\(granted)",
        ]
        if granted < receiveBufferBytes * 2 {
            metadata["hint"] = "the kernel capped SO_RCVBUF and SO_RCVBUFFORCE needs CAP_NET_ADMIN; raise the cap with sysctl -w net.core.rmem_max=\(receiveBufferBytes * 2)"
            logger.warning("listening with a smaller receive buffer than configured", metadata: metadata)
        } else {
            logger.info("listening", metadata: metadata)
        }
        return channel
    }
}

extension TrapListener {
    /// What the listener channels work with: shared by all of them, confined to the router's event loop.
    package struct Parts {
        /// Where accepted traps go.
        package let router: EventRouter
        /// The relays, asked whether a trap is one of theirs coming back.
        package let relays: RelaySink
        /// The receive path's counters.
        package let statistics: ReceiveStatistics
        /// Community and rate-limit checks (a reload replaces their rules).
        package let admission: TrapAdmission
        /// SNMPv3 processing.
        package let v3: SNMPv3Receiver

        package init(
            router: EventRouter, relays: RelaySink, statistics: ReceiveStatistics, admission: TrapAdmission,
            v3: SNMPv3Receiver
        ) {
            self.router = router
            self.relays = relays
            self.statistics = statistics
            self.admission = admission
            self.v3 = v3
        }
    }
}
