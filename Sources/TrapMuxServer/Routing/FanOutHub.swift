import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// Delivers every event to every subscriber that wants it, without ever waiting for one.
///
/// Confined to one event loop (the one the listeners and the subscriber socket run on), so no locks are taken
/// per event. Each event is encoded once per format however many subscribers share it. A subscriber that keeps
/// up is written to directly; one that does not gets a bounded queue with its overflow policy, all queues
/// together capped by the memory budget. Writes are flushed once per receive batch.
package final class FanOutHub {
    package let eventLoop: EventLoop
    package let processName: String
    package let names: MIBNames?
    /// The UDP ports listened on, for the kernel's drop counters of those sockets in `stats`.
    package let listenPorts: Set<Int>
    /// Limits for new subscribers and the memory budget; a reload replaces them (`applyLimits`).
    private(set) var settings: TrapMuxConfiguration.SubscriberSettings
    private let logger: Logger
    /// Upstream managers that also get the events.
    package var relays: RelayDispatcher?
    /// USM processing, for its counters in `stats`.
    package var v3: SNMPv3Receiver?
    /// Called (on the loop, outside delivery) when shedding starts, at most every 10 s while it lasts.
    package var onMemoryFull: ((ProcessEvent) -> Void)?

    private(set) var subscribers: [Subscriber] = []
    private var dirty: [Subscriber] = []
    private var nextID = 1
    private(set) var lastSeq: UInt64 = 0
    private(set) var queuedBytes = 0
    /// The most bytes queued since memory was last handed back to the system.
    private var queuedHighWater = 0
    package var counters = HubCounters()
    private var shedSinceReport = 0
    private var lastMemoryReport: NIODeadline?
    /// When the hub was created, for `uptime_seconds`.
    package let startedAt = NIODeadline.now()
    /// Initial size of a subscriber's per-batch write buffer (it grows when a batch needs more).
    private static let batchCapacity = 16 << 10
    /// Queue peaks above this are handed back to the system once the queues drain.
    private static let trimThresholdBytes = 4 << 20

    package init(
        eventLoop: EventLoop, processName: String, names: MIBNames?, listenPorts: Set<Int> = [],
        settings: TrapMuxConfiguration.SubscriberSettings, logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.processName = processName
        self.names = names
        self.listenPorts = listenPorts
        self.settings = settings
        self.logger = logger
    }

    /// Number of subscribed connections.
    package var subscriberCount: Int { subscribers.count }

    // MARK: Connections

    /// Connections that have not subscribed (yet), limited by `maxUnsubscribedConnections`.
    private(set) var unsubscribedConnections = 0
    /// Bytes of answers to requests (stats, ping, errors) written to connections and not yet taken by their
    /// sockets; they count against the memory budget beside the queued events.
    private(set) var answerBytes = 0

    /// Connections that have sent no line yet, with when they connected: the first to go when the limit is
    /// reached, so that a client that talks at once gets in even while idle connections are held open.
    private var awaitingFirstLine: [ObjectIdentifier: (channel: Channel, since: NIODeadline)] = [:]

    /// Counts a new connection in; false when `max_unsubscribed_connections` is reached and it must be refused.
    /// At the limit, the oldest connection that has not sent a line yet is closed to make room for it.
    package func admitConnection(_ channel: Channel) -> Bool {
        if unsubscribedConnections >= settings.maxUnsubscribedConnections {
            guard let oldest = awaitingFirstLine.min(by: { $0.value.since < $1.value.since }) else {
                counters.connectionsRefused += 1
                return false
            }
            awaitingFirstLine[oldest.key] = nil
            counters.connectionsIdleClosed += 1
            oldest.value.channel.close(promise: nil)
        }
        unsubscribedConnections += 1
        awaitingFirstLine[ObjectIdentifier(channel)] = (channel, .now())
        return true
    }

    /// A connection admitted by `admitConnection` sent its first line.
    package func firstLineReceived(on channel: Channel) {
        awaitingFirstLine[ObjectIdentifier(channel)] = nil
    }

    /// A connection admitted by `admitConnection` subscribed or closed.
    package func connectionLeftUnsubscribed(_ channel: Channel) {
        awaitingFirstLine[ObjectIdentifier(channel)] = nil
        unsubscribedConnections -= 1
    }

    /// Charges an answer of `bytes` to the memory budget until `releaseAnswer`.
    package func chargeAnswer(_ bytes: Int) {
        answerBytes += bytes
    }

    /// Whether queued events and answers together fill the memory budget: connections with answers outstanding
    /// then read no further requests.
    package var isOverBudget: Bool { queuedBytes + answerBytes >= settings.memoryBudgetBytes }

    /// An answer charged by `chargeAnswer` has left (or its connection closed).
    package func releaseAnswer(_ bytes: Int) {
        answerBytes -= bytes
    }

    /// The next sequence number; trap and process events share one sequence.
    package func nextSeq() -> UInt64 {
        lastSeq += 1
        return lastSeq
    }

    // MARK: Subscribers

    /// Registers a subscribed connection; nil when `max_subscribers` is reached.
    package func add(channel: Channel, subscription: SubscriberProtocol.Subscription) -> Subscriber? {
        eventLoop.assertInEventLoop()
        guard subscribers.count < settings.maxSubscribers else { return nil }
        let capacity = min(subscription.queue ?? settings.defaultQueue, settings.maxQueue)
        let subscriber = Subscriber(
            id: nextID, subscription: subscription, channel: channel,
            queue: SubscriberQueue(capacity: capacity, policy: settings.overflowPolicy))
        nextID += 1
        subscribers.append(subscriber)
        logger.info(
            "subscriber connected",
            metadata: ["subscriber.id": "\(subscriber.id)", "subscriber.name": "\(subscription.name)",
                       "subscriber.format": "\(subscription.format.rawValue)", "subscriber.queue": "\(capacity)"])
        return subscriber
    }

    /// Takes a reloaded configuration's subscriber limits. Queue sizes and the overflow policy apply to subscribers
    /// that connect from now on (a connected one keeps the queue it was promised); `max_subscribers` refuses new
    /// connections only; the memory budget applies at once, so queues above a lowered budget shed now. The socket,
    /// its mode and the allow-lists belong to the bound socket and are kept.
    package func applyLimits(_ limits: TrapMuxConfiguration.SubscriberSettings) {
        eventLoop.assertInEventLoop()
        settings.maxSubscribers = limits.maxSubscribers
        settings.defaultQueue = limits.defaultQueue
        settings.maxQueue = limits.maxQueue
        settings.overflowPolicy = limits.overflowPolicy
        settings.memoryBudgetBytes = limits.memoryBudgetBytes
        settings.maxUnsubscribedConnections = limits.maxUnsubscribedConnections
        settings.firstLineTimeout = limits.firstLineTimeout
        _ = shed(toFit: 0)
        flush()
    }

    /// Forgets a connection that closed; its queued events are released.
    package func remove(_ subscriber: Subscriber) {
        eventLoop.assertInEventLoop()
        guard let index = subscribers.firstIndex(where: { $0 === subscriber }) else { return }
        subscribers.remove(at: index)
        queuedBytes -= subscriber.queue.byteCount
        releaseMemoryIfDrained()
        logger.info(
            "subscriber disconnected",
            metadata: ["subscriber.id": "\(subscriber.id)", "subscriber.name": "\(subscriber.subscription.name)",
                       "subscriber.delivered": "\(subscriber.delivered)",
                       "subscriber.dropped": "\(subscriber.queue.droppedTotal)"])
    }

    /// Writes what a subscriber has queued, as far as its connection takes it.
    package func pump(_ subscriber: Subscriber) {
        var wrote = false
        // The batch holds only lines that came while nothing was queued, so it goes before the queue.
        if let batch = subscriber.batch {
            subscriber.batch = nil
            subscriber.channel.write(batch, promise: nil)
            wrote = true
        }
        while subscriber.channel.isWritable, let next = subscriber.queue.next() {
            switch next {
            case .line(let line):
                queuedBytes -= line.cost
                subscriber.channel.write(line.bytes, promise: nil)
                subscriber.delivered += 1
            case .dropped(let drop):
                subscriber.channel.write(ByteBuffer(bytes: SubscriberProtocol.dropped(drop)), promise: nil)
            }
            wrote = true
        }
        if wrote {
            releaseMemoryIfDrained()
            subscriber.channel.flush()
        }
    }

    /// Whether every queue is empty.
    package var isDrained: Bool { subscribers.allSatisfy { !$0.queue.hasWork } }

    /// Closes every subscriber connection (at shutdown, after the last event).
    package func closeAll() -> EventLoopFuture<Void> {
        let closes = subscribers.map { subscriber in
            subscriber.channel.close().recover { _ in }
        }
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }

    // MARK: Publishing

    /// Delivers a trap event to the subscribers whose filter it matches.
    package func publish(_ event: TrapEvent) {
        relays?.forward(event)
        var json: ByteBuffer?
        var text: ByteBuffer?
        for subscriber in subscribers where subscriber.subscription.filter.matches(event) {
            let line: ByteBuffer
            switch subscriber.subscription.format {
            case .json:
                if json == nil { json = event.withJSONLine(processName: processName, names: names) { ByteBuffer(bytes: $0) } }
                line = json!
            case .text:
                if text == nil { text = ByteBuffer(bytes: event.textLine(processName: processName, names: names)) }
                line = text!
            }
            deliver(line, seq: event.seq, to: subscriber)
        }
    }

    /// Delivers a process event to the subscribers that asked for process events, and flushes.
    package func publish(_ event: ProcessEvent, at microseconds: Int64) {
        let seq = nextSeq()
        var json: ByteBuffer?
        var text: ByteBuffer?
        for subscriber in subscribers where subscriber.subscription.processEvents {
            let line: ByteBuffer
            switch subscriber.subscription.format {
            case .json:
                if json == nil {
                    json = ByteBuffer(bytes: event.jsonLine(processName: processName, seq: seq, at: microseconds))
                }
                line = json!
            case .text:
                if text == nil { text = ByteBuffer(string: event.text(name: processName) + "\n") }
                line = text!
            }
            deliver(line, seq: seq, to: subscriber)
        }
        flush()
    }

    /// Flushes what this batch wrote; called once per receive batch.
    package func flush() {
        relays?.flush()
        while let subscriber = dirty.popLast() {
            subscriber.isDirty = false
            pump(subscriber)
        }
        releaseMemoryIfDrained()
        if shedSinceReport > 0, let onMemoryFull {
            let now = NIODeadline.now()
            if lastMemoryReport.map({ now - $0 >= .seconds(10) }) ?? true {
                lastMemoryReport = now
                let shed = shedSinceReport
                shedSinceReport = 0
                onMemoryFull(.memoryFull(shed: shed, queuedBytes: queuedBytes, budgetBytes: settings.memoryBudgetBytes))
            }
        }
    }

    private func releaseMemoryIfDrained() {
        guard queuedBytes == 0 && queuedHighWater >= Self.trimThresholdBytes else { return }
        // Queues that drained leave their peak in malloc's free lists; give it back so RSS follows the load.
        queuedHighWater = 0
        MemoryTrim.releaseFreeMemory()
    }

    private func deliver(_ line: ByteBuffer, seq: UInt64, to subscriber: Subscriber) {
        if !subscriber.isDirty {
            subscriber.isDirty = true
            dirty.append(subscriber)
        }
        if !subscriber.queue.hasWork && subscriber.channel.isWritable {
            if subscriber.batch == nil {
                subscriber.batch = subscriber.channel.allocator.buffer(capacity: Self.batchCapacity)
            }
            subscriber.batch!.writeImmutableBuffer(line)
            subscriber.delivered += 1
            return
        }
        let size = line.readableBytes + QueuedLine.overheadBytes
        guard shed(toFit: size) else {
            subscriber.queue.recordShed(seq: seq)
            counters.memoryShed += 1
            shedSinceReport += 1
            return
        }
        switch subscriber.queue.enqueue(QueuedLine(seq: seq, bytes: line)) {
        case .queued:
            queuedBytes += size
            queuedHighWater = max(queuedHighWater, queuedBytes)
        case .droppedOldest(let oldBytes):
            queuedBytes += size - oldBytes
            counters.queueDropped += 1
        case .droppedNewest:
            counters.queueDropped += 1
        case .mustDisconnect:
            counters.overflowDisconnects += 1
            logger.warning(
                "subscriber queue full; disconnecting it (overflow_policy = disconnect)",
                metadata: ["subscriber.id": "\(subscriber.id)", "subscriber.name": "\(subscriber.subscription.name)"])
            remove(subscriber)
            subscriber.channel.close(promise: nil)
        }
    }

    /// Sheds queued lines until `size` more bytes fit the memory budget; false when nothing is left to shed.
    private func shed(toFit size: Int) -> Bool {
        while queuedBytes + size > settings.memoryBudgetBytes {
            // The subscriber that has fallen furthest behind (oldest line still queued) pays for the room: a
            // stopped reader must not make readers that merely lag for a moment lose events.
            guard let furthestBehind = subscribers.min(by: { ($0.queue.oldestSeq ?? .max) < ($1.queue.oldestSeq ?? .max) }),
                let freed = furthestBehind.queue.shedOldest()
            else {
                return false
            }
            queuedBytes -= freed
            counters.memoryShed += 1
            shedSinceReport += 1
            if !furthestBehind.isDirty {
                furthestBehind.isDirty = true
                dirty.append(furthestBehind)
            }
        }
        return true
    }
}
