import NIOCore
import TrapDecoder
import TrapEvents

/// One encoded event line waiting for a subscriber.
package struct QueuedLine: Sendable {
    package let seq: UInt64
    package let bytes: ByteBuffer

    /// What a queued line is charged against the memory budget: its bytes plus what holding them costs
    /// (the buffer's storage object, allocator headers, the queue slot), so the budget tracks RSS.
    package var cost: Int { bytes.readableBytes + Self.overheadBytes }

    /// Measured per-line overhead beyond the line's own bytes.
    package static let overheadBytes = 160
}

/// A subscriber's bounded queue with its overflow policy and the record of what it had to drop.
///
/// A value type with no I/O, so its rules are tested on their own: the queue never holds more than
/// `capacity` lines; what it drops is counted and reported once as a `dropped` marker, placed where the
/// gap is (before the queue's head for drop-oldest, after the last queued line for drop-newest).
package struct SubscriberQueue {
    /// What `enqueue` did.
    package enum Outcome: Equatable {
        case queued
        /// The oldest line was discarded to make room; its size in bytes is returned.
        case droppedOldest(bytes: Int)
        case droppedNewest
        /// The policy is `disconnect` and the queue is full.
        case mustDisconnect
    }

    /// A run of dropped events to announce.
    package struct DropRange: Equatable {
        package var count: UInt64
        package var firstSeq: UInt64
        package var lastSeq: UInt64
    }

    package let capacity: Int
    package let policy: OverflowPolicy
    private(set) var lines = CircularBuffer<QueuedLine>()
    /// Bytes charged for all queued lines (see `QueuedLine.cost`).
    private(set) var byteCount = 0
    /// Dropped events not yet announced.
    private(set) var pendingDrop: DropRange?
    /// Whether the pending marker belongs before the head (only drop-oldest drops so far).
    private var markerBeforeHead = true
    /// Every event dropped for this subscriber in this run.
    private(set) var droppedTotal: UInt64 = 0

    package init(capacity: Int, policy: OverflowPolicy) {
        self.capacity = max(1, capacity)
        self.policy = policy
    }

    package var isEmpty: Bool { lines.isEmpty }
    /// Sequence number of the oldest queued line: how far behind this subscriber has fallen.
    package var oldestSeq: UInt64? { lines.first?.seq }
    package var count: Int { lines.count }

    /// Adds a line, applying the overflow policy when the queue is full.
    package mutating func enqueue(_ line: QueuedLine) -> Outcome {
        guard lines.count >= capacity else {
            append(line)
            return .queued
        }
        switch policy {
        case .dropOldest:
            let oldest = lines.removeFirst()
            byteCount -= oldest.cost
            recordDrop(seq: oldest.seq, beforeHead: true)
            append(line)
            return .droppedOldest(bytes: oldest.cost)
        case .dropNewest:
            recordDrop(seq: line.seq, beforeHead: false)
            return .droppedNewest
        case .disconnect:
            return .mustDisconnect
        }
    }

    /// Records an event that was shed without being queued (memory budget), to be announced after the queue.
    package mutating func recordShed(seq: UInt64) {
        recordDrop(seq: seq, beforeHead: false)
    }

    /// Discards the oldest queued line to free memory for others; returns its size, or nil when empty.
    package mutating func shedOldest() -> Int? {
        guard let oldest = lines.popFirst() else { return nil }
        byteCount -= oldest.cost
        recordDrop(seq: oldest.seq, beforeHead: true)
        return oldest.cost
    }

    /// The next thing to write: a dropped marker when one is due here, else the head line.
    package mutating func next() -> Next? {
        if let drop = pendingDrop, markerBeforeHead || lines.isEmpty {
            pendingDrop = nil
            markerBeforeHead = true
            return .dropped(drop)
        }
        guard let line = lines.popFirst() else { return nil }
        byteCount -= line.cost
        return .line(line)
    }

    /// What `next()` hands out.
    package enum Next {
        case line(QueuedLine)
        case dropped(DropRange)
    }

    /// Whether anything (a line or a marker) is waiting.
    package var hasWork: Bool { !lines.isEmpty || pendingDrop != nil }

    private mutating func append(_ line: QueuedLine) {
        lines.append(line)
        byteCount += line.cost
    }

    private mutating func recordDrop(seq: UInt64, beforeHead: Bool) {
        droppedTotal += 1
        if var drop = pendingDrop {
            drop.count += 1
            drop.firstSeq = min(drop.firstSeq, seq)
            drop.lastSeq = max(drop.lastSeq, seq)
            pendingDrop = drop
            markerBeforeHead = markerBeforeHead && beforeHead
        } else {
            pendingDrop = DropRange(count: 1, firstSeq: seq, lastSeq: seq)
            markerBeforeHead = beforeHead
        }
    }
}
