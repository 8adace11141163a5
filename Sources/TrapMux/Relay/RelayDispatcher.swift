import Logging
import NIOCore
import NIOPosix

/// The relay targets of a running server: opens their sockets at start, hands each event to every target,
/// and sends once per receive batch. Confined to the hub's event loop.
final class RelayDispatcher {
    private(set) var targets: [RelayTarget] = []
    private var timer: RepeatedTask?

    /// Resolves and opens every target; a name that does not resolve is a configuration error.
    static func open(
        _ relays: [TrapMuxConfiguration.RelaySettings], on eventLoop: EventLoop, reporter: ProcessEventReporter,
        logger: Logger
    ) async throws -> [(TrapMuxConfiguration.RelaySettings, SocketAddress, Channel)] {
        var opened: [(TrapMuxConfiguration.RelaySettings, SocketAddress, Channel)] = []
        for relay in relays {
            guard let target = RelayAddress(relay.target) else { continue }
            let address: SocketAddress
            do {
                address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
            } catch {
                throw ConfigurationError(
                    file: "configuration", line: nil, key: "relay \(relay.name) target",
                    message: "cannot resolve \(target.host): \(error)")
            }
            let channel = try await DatagramBootstrap(group: eventLoop)
                .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
                .connect(to: address)
                .get()
            logger.info(
                "relay target ready",
                metadata: ["relay.name": "\(relay.name)", "relay.target": "\(address)", "relay.mode": "\(relay.mode.rawValue)"])
            opened.append((relay, address, channel))
        }
        return opened
    }

    /// Builds the targets around opened channels (on the loop) and starts the inform timer.
    init(
        opened: [(TrapMuxConfiguration.RelaySettings, SocketAddress, Channel)], eventLoop: EventLoop,
        reporter: ProcessEventReporter
    ) throws {
        for (settings, address, channel) in opened {
            let target = RelayTarget(settings: settings, address: address, channel: channel) { fault in
                reporter.report(.ioError(fault))
            }
            try channel.pipeline.syncOperations.addHandler(RelayResponseHandler(target: target))
            targets.append(target)
        }
        if targets.contains(where: { $0.settings.mode == .inform }) {
            let targets = NIOLoopBound(self.targets, eventLoop: eventLoop)
            timer = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                for target in targets.value { target.checkTimeouts() }
            }
        }
    }

    /// Offers the event to every target (each applies its filter).
    func forward(_ event: TrapEvent) {
        for target in targets {
            target.offer(event)
        }
    }

    /// Sends what the batch queued.
    func flush() {
        for target in targets {
            target.pump()
        }
    }

    /// Stops the timer and closes the sockets.
    func close() {
        timer?.cancel()
        for target in targets {
            target.channel.close(promise: nil)
        }
    }
}

/// Receives a relay target's answers (inform acknowledgements) and its socket errors.
final class RelayResponseHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let target: RelayTarget

    init(target: RelayTarget) {
        self.target = target
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        target.received(Array(envelope.data.readableBytesView))
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { target.pump() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and the like: the target is down; the socket stays open for the next try.
        target.failed(error)
    }
}
