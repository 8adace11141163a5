import NIOCore
import TrapDecoder
import TrapEvents

/// One subscribed connection: its subscription, its bounded queue, and its channel, which it alone writes to and
/// closes. Confined to the router's event loop.
package final class Subscriber {
    package let id: Int
    package let subscription: SubscriberProtocol.Subscription
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
    /// one write per batch instead of one per event.
    private var batch: ByteBuffer?
    /// Initial size of the per-batch write buffer (it grows when a batch needs more).
    private static let batchCapacity = 16 << 10

    package init(id: Int, subscription: SubscriberProtocol.Subscription, channel: Channel, queue: SubscriberQueue) {
        self.id = id
        self.subscription = subscription
        self.channel = channel
        self.queue = queue
    }

    /// Whether a line can go straight into this batch's write: nothing is queued and the socket takes more.
    package var keepsUp: Bool { !queue.hasWork && channel.isWritable }

    /// Adds a line to this batch's write (see `keepsUp`).
    package func appendToBatch(_ line: ByteBuffer) {
        if batch == nil {
            batch = channel.allocator.buffer(capacity: Self.batchCapacity)
        }
        batch!.writeImmutableBuffer(line)
        delivered += 1
    }

    /// Writes the batch, then queued lines and `dropped` markers as far as the socket takes them, and flushes.
    /// Returns the bytes (with holding overhead) taken off the queue, and whether anything was written.
    package func pump() -> (freedBytes: Int, wrote: Bool) {
        var freed = 0
        var wrote = false
        // The batch holds only lines that came while nothing was queued, so it goes before the queue.
        if let batch {
            self.batch = nil
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
