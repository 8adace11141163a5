import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// Delivers every event to every subscriber that wants it, without ever waiting for one (SPEC §6).
///
/// A subscriber that keeps up is written to directly, one write per receive batch; one that does not gets a
/// bounded queue with its overflow policy, all queues together (and the answers to requests waiting for their
/// sockets) capped by the memory budget. Confined to the router's event loop.
package final class SubscriberSink: EventSink {
    /// What the sink counted since start.
    package struct Counters {
        /// Events dropped from full subscriber queues.
        package var queueDropped: UInt64 = 0
        /// Events shed because the memory budget was exhausted.
        package var memoryShed: UInt64 = 0
        /// Subscribers closed by the disconnect overflow policy.
        package var overflowDisconnects: UInt64 = 0
    }

    package let eventLoop: EventLoop
    /// Limits for new subscribers and the memory budget; a reload replaces them (`apply`).
    package private(set) var limits: TrapMuxConfiguration.SubscriberSettings
    private let logger: Logger
    /// Reports event 104 (on the loop, outside delivery) when shedding starts, at most every 10 s while it lasts.
    package var reportMemoryFull: ((ProcessEvent) -> Void)?
    /// The retained events a subscriber that resumes (`resume_after`) is served from; nil keeps none.
    package var ring: EventRing?

    package private(set) var subscribers: [Subscriber] = []
    private var dirty: [Subscriber] = []
    private var nextID = 1
    /// Bytes of queued lines, each charged its bytes plus holding overhead.
    package private(set) var queuedBytes = 0
    /// Bytes of answers to requests written to connections and not yet taken by their sockets.
    package private(set) var answerBytes = 0
    /// The most bytes queued since memory was last handed back to the system.
    private var queuedHighWater = 0
    /// Whether the trim that follows a drained queue's (`releaseMemoryIfDrained`) is pending.
    private var settledTrimScheduled = false
    /// How long after a drained queue's trim the next one runs (and is put off again while lines are queued).
    private static let settledTrimDelay: TimeAmount = .seconds(10)
    package private(set) var counters = Counters()
    private var shedSinceReport = 0
    private var memoryFullReport = ReportThrottle<Bool>(interval: .seconds(10))
    /// Queue peaks above this are handed back to the system once the queues drain.
    private static let trimThresholdBytes = 4 << 20

    package init(eventLoop: EventLoop, limits: TrapMuxConfiguration.SubscriberSettings, logger: Logger) {
        self.eventLoop = eventLoop
        self.limits = limits
        self.logger = logger
    }

    // MARK: Registry

    /// Registers a subscribed connection; nil when `max_subscribers` is reached.
    package func add(channel: Channel, subscription: SubscriberProtocol.Subscription) -> Subscriber? {
        eventLoop.assertInEventLoop()
        guard subscribers.count < limits.maxSubscribers else { return nil }
        let capacity = min(subscription.queue ?? limits.defaultQueue, limits.maxQueue)
        let subscriber = Subscriber(
            id: nextID, subscription: subscription, channel: channel,
            queue: SubscriberQueue(capacity: capacity, policy: limits.overflowPolicy))
        nextID += 1
        subscribers.append(subscriber)
        logger.info(
            "subscriber connected",
            metadata: ["subscriber.id": "\(subscriber.id)", "subscriber.name": "\(subscription.name)",
                       "subscriber.format": "\(subscription.format.rawValue)", "subscriber.queue": "\(capacity)"])
        return subscriber
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

    /// Takes a reloaded configuration's subscriber limits. Queue sizes and the overflow policy apply to subscribers
    /// that connect from now on (a connected one keeps the queue it was promised); `max_subscribers` refuses new
    /// connections only; the memory budget applies at once, so queues above a lowered budget shed now. The socket,
    /// its mode and the allow-lists belong to the bound socket and are kept.
    package func apply(_ reloaded: TrapMuxConfiguration.SubscriberSettings) {
        eventLoop.assertInEventLoop()
        limits = reloaded.keepingSocket(of: limits)
        _ = shed(toFit: 0)
        flush()
    }

    /// Whether every queue is empty.
    package var isDrained: Bool { subscribers.allSatisfy { !$0.queue.hasWork } }

    /// Closes every subscriber connection (at shutdown, after the last event).
    package func closeAll() -> EventLoopFuture<Void> {
        EventLoopFuture.andAllComplete(subscribers.map { $0.close() }, on: eventLoop)
    }

    // MARK: Answers to requests

    /// Charges an answer of `bytes` to the memory budget until `releaseAnswer`.
    package func chargeAnswer(_ bytes: Int) {
        answerBytes += bytes
    }

    /// An answer charged by `chargeAnswer` has left (or its connection closed).
    package func releaseAnswer(_ bytes: Int) {
        answerBytes -= bytes
    }

    /// Whether queued events and answers together fill the memory budget: connections with answers outstanding
    /// then read no further requests.
    package var isOverBudget: Bool { queuedBytes + answerBytes >= limits.memoryBudgetBytes }

    // MARK: Delivery

    package func accept(_ routed: inout RoutedTrap) {
        let seq = routed.event.seq
        for subscriber in subscribers where subscriber.resumeAfter == nil && subscriber.wants(routed.event) {
            routed.withLine(subscriber.subscription.format, parts: subscriber.subscription.parts) { line in
                deliver(line, seq: seq, to: subscriber)
            }
        }
    }

    package func accept(_ routed: inout RoutedProcessEvent) {
        for subscriber in subscribers where subscriber.resumeAfter == nil && subscriber.subscription.processEvents {
            let line = routed.line(subscriber.subscription.format)
            line.withUnsafeReadableBytes { deliver($0, seq: routed.seq, to: subscriber) }
        }
    }

    /// Flushes what this batch wrote, and reports shedding (104) when it happened.
    package func flush() {
        while let subscriber = dirty.popLast() {
            subscriber.isDirty = false
            pump(subscriber)
        }
        releaseMemoryIfDrained()
        if shedSinceReport > 0, let reportMemoryFull, memoryFullReport.allows() {
            let shed = shedSinceReport
            shedSinceReport = 0
            reportMemoryFull(.memoryFull(shed: shed, queuedBytes: queuedBytes, budgetBytes: limits.memoryBudgetBytes))
        }
    }

    /// Writes what a subscriber has queued, as far as its connection takes it (also when it becomes writable).
    package func pump(_ subscriber: Subscriber) {
        let (freed, wrote) = subscriber.pump()
        queuedBytes -= freed
        if wrote {
            releaseMemoryIfDrained()
        }
    }

    /// Copies `line` into the subscriber's batch when it keeps up (no allocation), into its queue otherwise.
    func deliver(_ line: UnsafeRawBufferPointer, seq: UInt64, to subscriber: Subscriber) {
        markDirty(subscriber)
        if subscriber.keepsUp {
            subscriber.appendToBatch(line)
            return
        }
        let size = line.count + QueuedLine.overheadBytes
        guard shed(toFit: size) else {
            subscriber.queue.recordShed(seq: seq)
            counters.memoryShed += 1
            shedSinceReport += 1
            return
        }
        switch subscriber.queue.enqueue(QueuedLine(seq: seq, bytes: ByteBuffer(bytes: line))) {
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
            subscriber.close()
        }
    }

    private func markDirty(_ subscriber: Subscriber) {
        if !subscriber.isDirty {
            subscriber.isDirty = true
            dirty.append(subscriber)
        }
    }

    /// Sheds queued lines until `size` more bytes fit the memory budget; false when nothing is left to shed.
    private func shed(toFit size: Int) -> Bool {
        while queuedBytes + size > limits.memoryBudgetBytes {
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
            markDirty(furthestBehind)
        }
        return true
    }

    private func releaseMemoryIfDrained() {
        guard queuedBytes == 0 && queuedHighWater >= Self.trimThresholdBytes else { return }
        // Queues that drained leave their peak in malloc's free lists; give it back so RSS follows the load.
        queuedHighWater = 0
        MemoryTrim.releaseFreeMemory()
        // The last lines taken off a queue are still in the channel's outbound buffer and the socket's, and a reader
        // that caught up once may fall behind again while it works through its backlog: their memory is freed
        // after the trim above (measured: a 30 s stop at 20k/s left RSS 4-10 MB above where it had been until a
        // later trim). Trim again 10 s later, and later still while lines are queued then.
        scheduleSettledTrim()
    }

    private func scheduleSettledTrim() {
        guard !settledTrimScheduled else { return }
        settledTrimScheduled = true
        let sink = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.settledTrimDelay) {
            let sink = sink.value
            sink.settledTrimScheduled = false
            if sink.queuedBytes == 0 {
                MemoryTrim.releaseFreeMemory()
            } else {
                sink.scheduleSettledTrim()
            }
        }
    }
}
