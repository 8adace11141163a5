import Logging
import NIOCore
import NIOEmbedded
import SNMPSecurity
import TrapDecoder
import TrapEvents

import TrapMuxServer

/// The server's parts around one connection, on an embedded event loop, and what the client has seen.
final class HarnessConnection {
    static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    static let engine = USMLocalEngine(
        engineID: [0x80, 0x00, 0x1F, 0x88, 0x04, 0x66, 0x75, 0x7A, 0x7A], boots: 1, at: 0)
    static let trap: [UInt8] = {
        let linkDown = GenericTrap.linkDown.standardTrapOID!
        let notification = NotificationPDU(
            requestID: 7,
            varbinds: [
                VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(4242)),
                VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(linkDown)),
            ])
        return TrapMessage(version: .v2c, community: Array("public".utf8)[...], pdu: .trapV2(notification)).encoded()!
    }()

    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    let router: EventRouter
    let sink: SubscriberSink
    let admission: ConnectionAdmission
    let handler: SubscriberHandler
    let reads = ReadRecorder()
    /// Chunks the client sent that the handler has not read yet (they wait in the socket).
    var unread: [[UInt8]] = []
    /// `stats` answers waiting for the kernel's counters.
    var statsReads: [EventLoopPromise<KernelUDPCounters>] = []
    var client = ClientView()

    init(limits: StreamHarness.Limits) {
        router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "fuzz", names: nil))
        sink = SubscriberSink(eventLoop: loop, limits: limits.settings, logger: Self.logger)
        router.add(sink)
        admission = ConnectionAdmission(limit: limits.unsubscribedConnections, firstLineTimeout: .seconds(10))
        let stats = StatsReport(
            processName: "fuzz", listenPorts: [], router: router, receive: ReceiveStatistics(), subscribers: sink,
            connections: admission, relays: RelaySink(),
            v3: SNMPv3Receiver(users: .init(), engine: Self.engine, logger: Self.logger))
        handler = SubscriberHandler(
            sink: sink, admission: admission, router: router, stats: stats,
            access: PeerAccess(uids: [], gids: [], logger: Self.logger))
        channel = EmbeddedChannel(loop: loop)
        handler.readKernelCounters = { [unowned self] eventLoop, _ in
            let promise = eventLoop.makePromise(of: KernelUDPCounters.self)
            statsReads.append(promise)
            return promise.futureResult
        }
        try! channel.pipeline.syncOperations.addHandler(reads)
        try! channel.pipeline.syncOperations.addHandler(handler)
        channel.connect(to: try! SocketAddress(unixDomainSocketPath: "/fuzz.sock"), promise: nil)
        loop.run()
        // NIO reads once a channel is active (autoRead).
        channel.read()
    }

    func perform(_ operation: StreamHarness.Operation) {
        switch operation {
        case .send(let bytes): send(bytes)
        case .sendFiller(let octet, let count): send([UInt8](repeating: octet, count: count))
        case .writable(let writable):
            channel.isWritable = writable
            channel.pipeline.fireChannelWritabilityChanged()
        case .traps(let count): routeTraps(count)
        case .clientReads: clientReads()
        case .statsComplete:
            let pending = statsReads
            statsReads = []
            for promise in pending { promise.succeed(KernelUDPCounters.read(listenPorts: [])) }
        case .halfClose:
            client.halfClosed = true
            channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        case .timePasses: loop.advanceTime(by: .seconds(11))
        case .processEvent:
            router.route(.started, at: 0)
        case .hangUp:
            channel.close(promise: nil)
        }
        loop.run()
        deliverUnread()
    }

    private func send(_ bytes: [UInt8]) {
        guard !client.halfClosed, !bytes.isEmpty else { return }
        client.sent(bytes)
        unread.append(bytes)
    }

    /// Hands waiting chunks to the handler while it asks for reads, one chunk per read as a socket would.
    private func deliverUnread() {
        while channel.isActive, reads.requested, !unread.isEmpty {
            reads.requested = false
            let chunk = unread.removeFirst()
            client.largestChunk = max(client.largestChunk, chunk.count)
            _ = try? channel.writeInbound(channel.allocator.buffer(bytes: chunk))
            channel.pipeline.fireChannelReadComplete()
            loop.run()
            // autoRead: the channel asks for the next read after each one; the handler may hold it back.
            channel.read()
        }
    }

    private func routeTraps(_ count: Int) {
        let source = SourceAddress(ip: [192, 0, 2, 7], port: 161)
        let message = try! TrapMessage(decoding: Self.trap)
        let classification = message.classify(source: source.ipText)!
        for _ in 0..<count {
            router.route(
                TrapEvent(
                    seq: router.nextSeq(), receivedAt: 0, source: source, datagram: Self.trap, message: message,
                    classification: classification))
        }
        router.flush()
    }

    private func clientReads() {
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            client.received(Array(buffer.readableBytesView))
        }
    }

    /// What must hold after every operation.
    func checkInvariants() {
        // One line beyond the complete ones, one socket read, and the complete lines of one read.
        let bound = SubscriberProtocol.maximumLineLength + 2 * max(client.largestChunk, 1)
        precondition(handler.bufferedRequestBytes <= bound, "holds \(handler.bufferedRequestBytes) bytes of requests")
        precondition(sink.subscribers.count <= 1, "one connection, \(sink.subscribers.count) subscribers")
        precondition((0...1).contains(admission.unsubscribed), "unsubscribed \(admission.unsubscribed)")
        clientReads()
        client.checkAnswers()
    }

    /// The client hangs up: nothing of the connection may stay behind.
    func close() {
        // Answering one stats request may take up the next, which asks for the counters again.
        while !statsReads.isEmpty {
            let pending = statsReads
            statsReads = []
            for promise in pending { promise.succeed(KernelUDPCounters.read(listenPorts: [])) }
            loop.run()
        }
        channel.close(promise: nil)
        loop.run()
        clientReads()
        client.checkAnswers()
        precondition(sink.subscribers.isEmpty, "a subscriber outlived its connection")
        precondition(admission.unsubscribed == 0, "an unsubscribed connection outlived itself")
        precondition(
            sink.answerBytes == 0 && sink.queuedBytes == 0, "still charged: \(sink.answerBytes), \(sink.queuedBytes)")
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}

/// Records whether the handler asked for a read (it sits between the handler and the channel's head).
final class ReadRecorder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var requested = false

    func read(context: ChannelHandlerContext) {
        requested = true
        context.read()
    }
}
