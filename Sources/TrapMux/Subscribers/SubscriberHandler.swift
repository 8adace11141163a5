import NIOCore

/// One connection on the subscriber socket: frames request lines, answers them, and registers the
/// subscription with the hub. Runs on the hub's event loop.
final class SubscriberHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let hub: FanOutHub
    private let access: PeerAccess
    private var state = SubscriberConnectionState()
    private var pending = ByteBuffer()
    private var subscriber: Subscriber?
    /// Whether the peer's credentials passed the allow-lists; requests wait until they have.
    private var admitted = false

    init(hub: FanOutHub, access: PeerAccess) {
        self.hub = hub
        self.access = access
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        let channel = context.channel
        let loopBoundSelf = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        access.check(channel).whenComplete { result in
            let (handler, context) = loopBoundSelf.value
            switch result {
            case .success(nil):
                handler.admitted = true
                handler.processLines(context: context)
            case .success(let refusal?):
                handler.perform(.answerError(refusal, thenClose: true), context: context)
            case .failure:
                handler.perform(
                    .answerError(.init(code: "forbidden", message: "peer credentials unavailable"), thenClose: true),
                    context: context)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        pending.writeBuffer(&incoming)
        if admitted {
            processLines(context: context)
        }
    }

    private func processLines(context: ChannelHandlerContext) {
        while state.phase != .closed {
            guard let newline = pending.readableBytesView.firstIndex(of: 0x0A) else {
                if pending.readableBytes > SubscriberProtocol.maximumLineLength {
                    perform(state.lineTooLong(), context: context)
                }
                break
            }
            let length = newline - pending.readerIndex
            let line = pending.readBytes(length: length) ?? []
            pending.moveReaderIndex(forwardBy: 1)
            if line.count > SubscriberProtocol.maximumLineLength {
                perform(state.lineTooLong(), context: context)
                break
            }
            let trimmed = line.last == 0x0D ? Array(line.dropLast()) : line
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let request: Result<SubscriberProtocol.Request, SubscriberProtocol.RequestError>
            do {
                request = .success(try SubscriberProtocol.parse(trimmed))
            } catch {
                request = .failure(error)
            }
            perform(state.received(request), context: context)
        }
        pending.discardReadBytes()
    }

    private func perform(_ action: SubscriberConnectionState.Action, context: ChannelHandlerContext) {
        switch action {
        case .subscribe(let subscription):
            guard let subscriber = hub.add(channel: context.channel, subscription: subscription) else {
                perform(state.subscriptionRefused(), context: context)
                return
            }
            self.subscriber = subscriber
            write(SubscriberProtocol.subscribed(id: subscriber.id, queue: subscriber.queue.capacity), context: context)
        case .answerStats:
            write(hub.statsLine(), context: context)
        case .answerPing:
            write(SubscriberProtocol.pong(seq: hub.lastSeq), context: context)
        case .answerError(let error, let thenClose):
            let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: SubscriberProtocol.error(error))))
            if thenClose {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        case .ignore:
            break
        }
    }

    private func write(_ line: [UInt8], context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: line)), promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let subscriber {
            hub.pump(subscriber)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let subscriber {
            hub.remove(subscriber)
            self.subscriber = nil
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A broken subscriber connection concerns only that subscriber.
        context.close(promise: nil)
    }
}
