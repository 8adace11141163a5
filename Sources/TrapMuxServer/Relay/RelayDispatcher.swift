import Logging
import NIOCore
import NIOPosix
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// The relay targets of a running server: opens their sockets at start, hands each event to every target,
/// and sends once per receive batch. Confined to the hub's event loop.
package final class RelayDispatcher {
    private(set) var targets: [RelayTarget] = []
    package let eventLoop: EventLoop
    private var timer: RepeatedTask?

    /// Resolves and opens every target; a name that does not resolve, or that resolves to one of `listen` (a
    /// relay loop the configuration check could not see in a host name), is a configuration error.
    package static func open(
        _ relays: [TrapMuxConfiguration.RelaySettings], listen: [HostPort], engine: USMLocalEngine,
        on eventLoop: EventLoop, logger: Logger
    ) async throws -> [OpenedTarget] {
        var opened: [OpenedTarget] = []
        do {
            try await open(relays, listen: listen, engine: engine, on: eventLoop, logger: logger, into: &opened)
        } catch {
            // A reload that fails half-way keeps running on the old targets: the new sockets must not linger.
            close(opened)
            throw error
        }
        return opened
    }

    /// Closes sockets that were opened for targets that will not be used.
    package static func close(_ opened: [OpenedTarget]) {
        for target in opened {
            target.traffic.close(promise: nil)
            target.probe.close(promise: nil)
        }
    }

    private static func open(
        _ relays: [TrapMuxConfiguration.RelaySettings], listen: [HostPort], engine: USMLocalEngine,
        on eventLoop: EventLoop, logger: Logger, into opened: inout [OpenedTarget]
    ) async throws {
        for relay in relays {
            var v3Encoder: V3TrapEncoder?
            if let user = relay.v3User {
                do {
                    v3Encoder = try V3TrapEncoder(user: user, engine: engine)
                } catch {
                    throw ConfigurationError(
                        file: "configuration", line: nil, key: "relay \(relay.name) user", message: error.description)
                }
            }
            guard let target = HostPort(relay.target) else { continue }
            let address: SocketAddress
            do {
                address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
            } catch {
                throw ConfigurationError(
                    file: "configuration", line: nil, key: "relay \(relay.name) target",
                    message: "cannot resolve \(target.host): \(error)")
            }
            if let ip = address.ipAddress, let port = address.port,
                let own = HostPort(host: ip, port: port).loopsBack(into: listen)
            {
                throw ConfigurationError(
                    file: "configuration", line: nil, key: "relay \(relay.name) target",
                    message: "\(relay.target) resolves to \(ip), so it is this server's own listen address \(own): "
                        + "every trap relayed there would come back and be relayed again without end; expected the "
                        + "address of an upstream manager (another host, or another port)")
            }
            let traffic = try await openSocket(.traffic, to: address, on: eventLoop).get()
            let probe = try await openSocket(.probe, to: address, on: eventLoop).get()
            logger.info(
                "relay target ready",
                metadata: ["relay.name": "\(relay.name)", "relay.target": "\(address)", "relay.mode": "\(relay.mode.rawValue)"])
            opened.append(
                OpenedTarget(settings: relay, address: address, traffic: traffic, probe: probe, v3Encoder: v3Encoder))
        }
    }

    /// A target's resolved address and open sockets, before the target is built on the event loop.
    package struct OpenedTarget: Sendable {
        package let settings: TrapMuxConfiguration.RelaySettings
        package let address: SocketAddress
        package let traffic: Channel
        package let probe: Channel
        /// The upstream user's encoder, keys derived, in `v3` mode.
        package let v3Encoder: V3TrapEncoder?
    }

    /// One of a target's sockets (see `RelayTarget`): the traffic socket unconnected, on any local address of
    /// the target's family; the probe connected to the target, so that its ICMP errors are reported on it.
    package static func openSocket(
        _ socket: RelayTarget.Socket, to address: SocketAddress, on eventLoop: EventLoop
    ) -> EventLoopFuture<Channel> {
        let bootstrap = DatagramBootstrap(group: eventLoop).channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
        switch socket {
        case .traffic: return bootstrap.bind(host: address.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
        case .probe: return bootstrap.connect(to: address)
        }
    }

    /// Builds the targets around opened sockets (on the loop) and starts the inform timer.
    package init(opened: [OpenedTarget], eventLoop: EventLoop, reporter: ProcessEventReporter) throws {
        self.eventLoop = eventLoop
        for target in opened {
            let address = target.address
            let relay = RelayTarget(
                settings: target.settings, address: address, eventLoop: eventLoop, v3Encoder: target.v3Encoder,
                openSocket: { socket in Self.openSocket(socket, to: address, on: eventLoop) },
                reportFault: { fault in reporter.report(.ioError(fault)) })
            try relay.adopt(target.traffic, as: .traffic)
            try relay.adopt(target.probe, as: .probe)
            targets.append(relay)
        }
        if targets.contains(where: { $0.settings.mode == .inform }) {
            let targets = NIOLoopBound(self.targets, eventLoop: eventLoop)
            timer = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                for target in targets.value { target.checkTimeouts() }
            }
        }
    }

    /// Offers the event to every target (each applies its filter); `sent` learns what each will send, for the
    /// loop guard.
    package func forward(_ event: TrapEvent, sent: (RelayTarget.Sent) -> Void) {
        for target in targets {
            if let one = target.offer(event) { sent(one) }
        }
    }

    /// Sends what the batch queued.
    package func flush() {
        for target in targets {
            target.pump()
        }
    }

    /// Ends these targets after a reload replaced them (see `RelayTarget.retire`): the hub no longer hands them
    /// events; what they queued is still sent before their sockets close. The result adds up what was dropped.
    package func retire(deadline: NIODeadline) -> EventLoopFuture<RelayTarget.Retired> {
        timer?.cancel()
        let retired = targets.map { $0.retire(deadline: deadline) }
        return EventLoopFuture.reduce(into: RelayTarget.Retired(), retired, on: eventLoop) { total, one in
            total.unsent += one.unsent
            total.unacknowledged += one.unacknowledged
        }
    }

    /// Stops the timer and closes the sockets.
    package func close() {
        timer?.cancel()
        for target in targets {
            target.close()
        }
    }
}

/// Receives a relay target's answers (inform acknowledgements) and its socket errors.
package final class RelayResponseHandler: ChannelInboundHandler {
    package typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let target: RelayTarget

    package init(target: RelayTarget) {
        self.target = target
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        target.received(Array(envelope.data.readableBytesView))
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { target.pump() }
        context.fireChannelWritabilityChanged()
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The probe's ICMP port unreachable, met by a read: the target is down; the socket stays open.
        target.failed(error)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        target.channelClosed(context.channel)
        context.fireChannelInactive()
    }
}
