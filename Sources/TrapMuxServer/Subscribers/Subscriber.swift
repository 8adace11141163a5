import NIOCore
import TrapDecoder
import TrapEvents

/// One subscribed connection: its subscription, its bounded queue, and its channel, which it alone writes to and
/// closes. Confined to the router's event loop.
package final class Subscriber {
    package let id: Int
    package let subscription: SubscriberProtocol.Subscription
    /// The subscription's filter, kept apart so that matching reads it in place rather than copying the subscription.
    private let filter: SubscriptionFilter
    /// Whether the filter is empty: most subscribers take every event and skip matching altogether.
    private let takesEverything: Bool
    private let channel: Channel
    package var queue: SubscriberQueue
    /// Events written to the connection.
    package private(set) var delivered: UInt64 = 0
    /// Whether the sink has it on its list of subscribers to flush.
    package var isDirty = false
    /// While it resumes (`resume_after`): the last sequence number replayed from the ring; the sink hands it no
    /// live events until the replay has caught up (`SubscriberSink+Replay.swift`).
    package var resumeAfter: UInt64?
    /// Lines for a subscriber that keeps up, gathered during one receive batch and written as one buffer:
    /// one write per batch instead of one per event. Its storage is reused batch after batch once the socket
    /// has taken the previous one; nil until the first line.
    private var batch: ByteBuffer?
    /// Initial size of the per-batch write buffer (it grows when a batch needs more).
    private static let batchCapacity = 16 << 10

    package init(id: Int, subscription: SubscriberProtocol.Subscription, channel: Channel, queue: SubscriberQueue) {
        self.id = id
        self.subscription = subscription
        self.filter = subscription.filter
        self.takesEverything = subscription.filter == SubscriptionFilter()
        self.channel = channel
        self.queue = queue
    }

    /// Whether this subscriber wants `event`.
    package func wants(_ event: borrowing TrapEvent) -> Bool {
        takesEverything || filter.matches(event)
    }

    /// Whether a line can go straight into this batch's write: nothing is queued and the socket takes more.
    package var keepsUp: Bool { !queue.hasWork && channel.isWritable }

    /// Whether this batch has lines to write.
    private var batchHasLines = false

    /// Adds a line to this batch's write (see `keepsUp`).
    package func appendToBatch(_ line: UnsafeRawBufferPointer) {
        // Taken out and put back, so that the buffer is uniquely referenced while it is cleared and written:
        // mutating the optional property in place copied it.
        var buffer = batch.take() ?? channel.allocator.buffer(capacity: Self.batchCapacity)
        if !batchHasLines {
            batchHasLines = true
            // Reuses the storage unless the socket still holds the last batch (then clear makes a new one).
            buffer.clear()
        }
        buffer.writeBytes(line)
        batch = buffer
        delivered += 1
    }

    /// Writes the batch, then queued lines and `dropped` markers as far as the socket takes them, and flushes.
    /// Returns the bytes (with holding overhead) taken off the queue, and whether anything was written.
    package func pump() -> (freedBytes: Int, wrote: Bool) {
        var freed = 0
        var wrote = false
        // The batch holds only lines that came while nothing was queued, so it goes before the queue.
        if batchHasLines, let batch {
            batchHasLines = false
            channel.write(batch, promise: nil)
            wrote = true
        }
        while channel.isWritable, let next = queue.next() {
            switch next {
            case .line(let line):
                freed += line.cost
                channel.write(line.bytes, promise: nil)
                delivered += 1
            case .dropped(let drop):
                channel.write(ByteBuffer(bytes: SubscriberProtocol.dropped(drop)), promise: nil)
            }
            wrote = true
        }
        if wrote {
            channel.flush()
        }
        return (freed, wrote)
    }

    /// Closes the connection (overflow policy `disconnect`, or shutdown); the future completes once it is closed.
    @discardableResult
    package func close() -> EventLoopFuture<Void> {
        channel.close().recover { _ in }
    }
}
