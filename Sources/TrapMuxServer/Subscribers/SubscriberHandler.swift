import Dispatch
import NIOCore
import TrapDecoder
import TrapEvents

/// One connection on the subscriber socket: frames request lines, answers them, and registers the
/// subscription with the subscriber sink. Runs on the router's event loop.
///
/// A client costs the server only what it is allowed: until it subscribes it counts against
/// `max_unsubscribed_connections` (at the limit, the oldest connection that has not sent a line yet makes room)
/// and must send a line within `first_line_timeout`; requests are read only while
/// their answers can be written (the connection is writable and its answers not yet taken by the socket stay
/// under `answerAllowance` and the memory budget), so a client that sends requests and never reads the answers
/// stops being read instead of growing the server's memory. A client may half-close after its requests: it still
/// gets the answers, and a subscriber keeps receiving events.
package final class SubscriberHandler: ChannelDuplexHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    /// Bytes of answers a connection may have waiting for its socket before its next request waits.
    package static let answerAllowance = 64 << 10

    private let sink: SubscriberSink
    private let admission: ConnectionAdmission
    private let router: EventRouter
    private let stats: StatsReport
    private let access: PeerAccess
    private var state = SubscriberConnectionState()
    private var framer = RequestLineFramer()
    /// Bytes of requests held, for tests and the fuzz harness: at most one line beyond the complete ones.
    package var bufferedRequestBytes: Int { framer.bufferedBytes }
    private var subscriber: Subscriber?
    /// Whether the peer's credentials passed the allow-lists; requests wait until they have.
    private var admitted = false
    /// Whether this connection is counted as unsubscribed (see `ConnectionAdmission.admit`).
    private var countedAsUnsubscribed = false
    /// Closes the connection if no complete line has come by `first_line_timeout`.
    private var firstLineTimer: Scheduled<Void>?
    /// Answer bytes written and not yet taken by the socket.
    private var outstandingAnswerBytes = 0
    /// A read NIO asked for while requests were held back; issued once they can be answered again.
    private var readHeld = false
    /// A stats answer waits for the kernel's counters; later requests wait behind it, to be answered in order.
    private var statsPending = false

    package init(
        sink: SubscriberSink, admission: ConnectionAdmission, router: EventRouter, stats: StatsReport, access: PeerAccess
    ) {
        self.sink = sink
        self.admission = admission
        self.router = router
        self.stats = stats
        self.access = access
    }

    package func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        guard admission.admit(context.channel) else {
            state.refuse()
            writeErrorAndClose(
                .init(code: "too_many_connections", message: "max_unsubscribed_connections reached; try later"),
                context: context)
            return
        }
        countedAsUnsubscribed = true
        let loopBoundSelf = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        firstLineTimer = context.eventLoop.scheduleTask(in: TimeAmount(admission.firstLineTimeout)) {
            let (handler, context) = loopBoundSelf.value
            handler.firstLineTimedOut(context: context)
        }
        access.check(context.channel).whenComplete { result in
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

    private func firstLineTimedOut(context: ChannelHandlerContext) {
        firstLineTimer = nil
        guard state.phase == .awaitingFirstRequest else { return }
        admission.firstLineTimedOut()
        perform(state.firstLineTimedOut(after: admission.firstLineTimeout), context: context)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        framer.append(&incoming)
        if framer.partialLineTooLong && state.phase != .closed {
            // At once, even while requests are held back: what the framer holds stays within one line.
            perform(state.lineTooLong(), context: context)
        } else if admitted {
            processLines(context: context)
        }
    }

    /// Whether answers are backed up, so that the next request must wait: the connection is not writable, its
    /// answers waiting for the socket exceed the allowance, or it has some and the memory budget is used up.
    private func answersBackedUp(_ context: ChannelHandlerContext) -> Bool {
        statsPending || !context.channel.isWritable || outstandingAnswerBytes > Self.answerAllowance
            || (outstandingAnswerBytes > 0 && sink.isOverBudget)
    }

    private func processLines(context: ChannelHandlerContext) {
        lines: while state.phase != .closed && !answersBackedUp(context) {
            let trimmed: [UInt8]
            switch framer.next() {
            case .line(let line):
                trimmed = line
            case .tooLong:
                perform(state.lineTooLong(), context: context)
                break lines
            case .none:
                break lines
            }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if let timer = firstLineTimer {
                timer.cancel()
                firstLineTimer = nil
                admission.firstLineReceived(on: context.channel)
            }
            let request: Result<SubscriberProtocol.Request, SubscriberProtocol.RequestError>
            do {
                request = .success(try SubscriberProtocol.parse(trimmed))
            } catch {
                request = .failure(error)
            }
            perform(state.received(request), context: context)
        }
        framer.compact()
        finishIfInputDone(context: context)
    }

    /// A client that closed its side and did not subscribe gets its answers, then the connection closes.
    private func finishIfInputDone(context: ChannelHandlerContext) {
        guard framer.inputClosed, state.phase != .subscribed, state.phase != .closed, !statsPending,
            !framer.hasCompleteLine, outstandingAnswerBytes == 0
        else { return }
        state.inputEnded()
        context.close(promise: nil)
    }

    private func perform(_ action: SubscriberConnectionState.Action, context: ChannelHandlerContext) {
        switch action {
        case .subscribe(let subscription):
            guard let subscriber = sink.add(channel: context.channel, subscription: subscription) else {
                perform(state.subscriptionRefused(), context: context)
                return
            }
            self.subscriber = subscriber
            leaveUnsubscribed(context.channel)
            answer(SubscriberProtocol.subscribed(id: subscriber.id, queue: subscriber.queue.capacity), context: context)
            if let after = subscription.resumeAfter {
                sink.resume(subscriber, after: after)
            }
        case .answerStats:
            answerStats(context: context)
        case .answerPing:
            answer(SubscriberProtocol.pong(seq: router.lastSeq), context: context)
        case .answerError(let error, let thenClose):
            if thenClose {
                writeErrorAndClose(error, context: context)
            } else {
                answer(SubscriberProtocol.error(error), context: context)
            }
        case .ignore:
            break
        }
    }

    private func writeErrorAndClose(_ error: SubscriberProtocol.RequestError, context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: SubscriberProtocol.error(error))))
            .whenComplete { _ in channel.close(promise: nil) }
    }

    /// Writes an answer, charged to the memory budget until the socket has taken it.
    private func answer(_ line: [UInt8], context: ChannelHandlerContext) {
        let size = line.count
        sink.chargeAnswer(size)
        outstandingAnswerBytes += size
        let loopBoundSelf = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: line))).whenComplete { _ in
            let (handler, context) = loopBoundSelf.value
            handler.answerLeft(size, context: context)
        }
    }

    /// Reads the kernel's counters off the event loop (file I/O in /proc), then answers with every counter.
    private func answerStats(context: ChannelHandlerContext) {
        statsPending = true
        let loopBoundSelf = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        readKernelCounters(context.eventLoop, stats.listenPorts).whenComplete { result in
            let kernel = (try? result.get()) ?? KernelUDPCounters(ownSocketDrops: nil, hostReceiveBufferErrors: nil)
            let (handler, context) = loopBoundSelf.value
            handler.statsPending = false
            guard context.channel.isActive else { return }
            handler.answer(handler.stats.line(kernel: kernel), context: context)
            handler.resumeRequests(context: context)
        }
    }

    /// How `stats` gets the kernel's counters of the listen ports; replaceable so that a harness on an embedded
    /// event loop, which no other thread may touch, can answer them itself.
    package var readKernelCounters: (EventLoop, Set<Int>) -> EventLoopFuture<KernelUDPCounters> = { eventLoop, ports in
        let promise = eventLoop.makePromise(of: KernelUDPCounters.self)
        DispatchQueue.global().async { promise.succeed(KernelUDPCounters.read(listenPorts: ports)) }
        return promise.futureResult
    }

    private func answerLeft(_ size: Int, context: ChannelHandlerContext) {
        outstandingAnswerBytes -= size
        sink.releaseAnswer(size)
        resumeRequests(context: context)
    }

    /// Takes up held-back requests, and reading, once their answers can be written again.
    private func resumeRequests(context: ChannelHandlerContext) {
        guard admitted, context.channel.isActive else { return }
        processLines(context: context)
        if readHeld && !answersBackedUp(context) {
            readHeld = false
            context.read()
        }
    }

    package func read(context: ChannelHandlerContext) {
        // Backpressure: while answers are backed up, a client's further requests stay in its socket. (A subscriber
        // that is merely slow to read its events, with no request waiting, is still read: closes show up.)
        if answersBackedUp(context) && (state.phase != .subscribed || framer.hasCompleteLine) {
            readHeld = true
        } else {
            context.read()
        }
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if let subscriber {
                sink.pump(subscriber)
            }
            resumeRequests(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // A client that only sends its requests (`echo ... | socat`) closes its side and still reads.
            framer.closeInput()
            if admitted { processLines(context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        firstLineTimer?.cancel()
        firstLineTimer = nil
        leaveUnsubscribed(context.channel)
        if let subscriber {
            sink.remove(subscriber)
            self.subscriber = nil
        }
        context.fireChannelInactive()
    }

    private func leaveUnsubscribed(_ channel: Channel) {
        if countedAsUnsubscribed {
            countedAsUnsubscribed = false
            admission.left(channel)
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A broken subscriber connection concerns only that subscriber.
        context.close(promise: nil)
    }
}
