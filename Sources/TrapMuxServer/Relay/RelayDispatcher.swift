import Logging
import NIOCore
import NIOPosix
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// The relay targets of a running server: opens their sockets at start, hands each event to every target,
/// and sends once per receive batch. Confined to the hub's event loop.
///
/// Each event is encoded once per form however many targets send it (targets with the same mode and community
/// share the bytes), into one buffer for the whole receive batch; at the end of the batch every target's datagrams
/// are views of that buffer, which is reused batch after batch once the sockets have sent it. So relaying costs no
/// allocation per trap: one write per datagram, one sendmmsg per target per batch.
package final class RelayDispatcher {
    private(set) var targets: [RelayTarget] = []
    package let eventLoop: EventLoop
    private var timer: RepeatedTask?
    /// For each target, the index of the first target that makes the same datagrams (itself when none does).
    private var formOwner: [Int] = []
    /// One request-id per event, shared by every re-encoded form (each target matches its own informs' answers).
    private var nextRequestID = Int32.random(in: 1...0x00FF_FFFF)
    /// The datagrams encoded in this batch, back to back.
    private var encoded = OutputBytes(capacity: 64 << 10)
    /// Which target sends which range of `encoded`, in the order of the events.
    private var batch: [(target: Int, range: Range<Int>, requestID: Int32)] = []
    /// The forms encoded for the current event: owner target and range.
    private var eventForms: [(owner: Int, range: Range<Int>)] = []
    /// The buffer that carried the last batch to the sockets; reused when they are done with it.
    private var batchBuffer: ByteBuffer?

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
    package convenience init(opened: [OpenedTarget], eventLoop: EventLoop, reporter: ProcessEventReporter) throws {
        var targets: [RelayTarget] = []
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
        self.init(targets: targets, eventLoop: eventLoop)
    }

    /// Dispatches to targets whose sockets are adopted; starts the inform timer when one sends informs.
    package init(targets: [RelayTarget], eventLoop: EventLoop) {
        self.eventLoop = eventLoop
        self.targets = targets
        formOwner = targets.indices.map { index in
            guard let form = targets[index].sharedForm else { return index }
            return targets.firstIndex { $0.sharedForm == form } ?? index
        }
        batch.reserveCapacity(256)
        eventForms.reserveCapacity(targets.count)
        if targets.contains(where: { $0.settings.mode == .inform }) {
            let targets = NIOLoopBound(self.targets, eventLoop: eventLoop)
            timer = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                for target in targets.value { target.checkTimeouts() }
            }
        }
    }

    /// Offers the event to every target (each applies its filter) and encodes what they send, once per form;
    /// `sent` learns each form sent, for the loop guard. Nothing leaves before `flush`.
    package func forward(_ event: borrowing TrapEvent, sent: (RelayTarget.Sent) -> Void) {
        eventForms.removeAll(keepingCapacity: true)
        var requestID: Int32?
        for index in targets.indices where targets[index].wants(event) {
            let owner = formOwner[index]
            if let shared = eventForms.first(where: { $0.owner == owner }) {
                batch.append((index, shared.range, requestID ?? 0))
                continue
            }
            let id = requestID ?? takeRequestID()
            requestID = id
            let start = encoded.count
            guard let one = targets[index].encode(event, requestID: id, into: &encoded) else { continue }
            let range = start..<encoded.count
            eventForms.append((owner, range))
            batch.append((index, range, id))
            sent(one)
        }
    }

    private func takeRequestID() -> Int32 {
        let id = nextRequestID
        nextRequestID = nextRequestID == Int32.max ? 1 : nextRequestID + 1
        return id
    }

    /// Hands every target its datagrams of the batch, as views of one buffer, and sends.
    package func flush() {
        if !batch.isEmpty {
            var buffer = batchBuffer.take() ?? ByteBufferAllocator().buffer(capacity: Swift.max(encoded.count, 64 << 10))
            // Reuses the storage unless a socket still holds part of the last batch (then clear makes a new one).
            buffer.clear()
            _ = encoded.withBytes { buffer.writeBytes($0) }
            for (target, range, requestID) in batch {
                targets[target].enqueue(buffer.getSlice(at: range.lowerBound, length: range.count)!, requestID: requestID)
            }
            batchBuffer = buffer
            batch.removeAll(keepingCapacity: true)
            encoded.removeAll()
        }
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
