import NIOCore

/// One encoded event line waiting for a subscriber.
struct QueuedLine: Sendable {
    let seq: UInt64
    let bytes: ByteBuffer

    /// What a queued line is charged against the memory budget: its bytes plus what holding them costs
    /// (the buffer's storage object, allocator headers, the queue slot), so the budget tracks RSS.
    var cost: Int { bytes.readableBytes + Self.overheadBytes }

    /// Measured per-line overhead beyond the line's own bytes.
    static let overheadBytes = 160
}

/// A subscriber's bounded queue with its overflow policy and the record of what it had to drop.
///
/// A value type with no I/O, so its rules are tested on their own: the queue never holds more than
/// `capacity` lines; what it drops is counted and reported once as a `dropped` marker, placed where the
/// gap is (before the queue's head for drop-oldest, after the last queued line for drop-newest).
struct SubscriberQueue {
    /// What `enqueue` did.
    enum Outcome: Equatable {
        case queued
        /// The oldest line was discarded to make room; its size in bytes is returned.
        case droppedOldest(bytes: Int)
        case droppedNewest
        /// The policy is `disconnect` and the queue is full.
        case mustDisconnect
    }

    /// A run of dropped events to announce.
    struct DropRange: Equatable {
        var count: UInt64
        var firstSeq: UInt64
        var lastSeq: UInt64
    }

    let capacity: Int
    let policy: OverflowPolicy
    private(set) var lines = CircularBuffer<QueuedLine>()
    /// Bytes charged for all queued lines (see `QueuedLine.cost`).
    private(set) var byteCount = 0
    /// Dropped events not yet announced.
    private(set) var pendingDrop: DropRange?
    /// Whether the pending marker belongs before the head (only drop-oldest drops so far).
    private var markerBeforeHead = true
    /// Every event dropped for this subscriber in this run.
    private(set) var droppedTotal: UInt64 = 0

    init(capacity: Int, policy: OverflowPolicy) {
        self.capacity = max(1, capacity)
        self.policy = policy
    }

    var isEmpty: Bool { lines.isEmpty }
    /// Sequence number of the oldest queued line: how far behind this subscriber has fallen.
    var oldestSeq: UInt64? { lines.first?.seq }
    var count: Int { lines.count }

    /// Adds a line, applying the overflow policy when the queue is full.
    mutating func enqueue(_ line: QueuedLine) -> Outcome {
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
    mutating func recordShed(seq: UInt64) {
        recordDrop(seq: seq, beforeHead: false)
    }

    /// Discards the oldest queued line to free memory for others; returns its size, or nil when empty.
    mutating func shedOldest() -> Int? {
        guard let oldest = lines.popFirst() else { return nil }
        byteCount -= oldest.cost
        recordDrop(seq: oldest.seq, beforeHead: true)
        return oldest.cost
    }

    /// The next thing to write: a dropped marker when one is due here, else the head line.
    mutating func next() -> Next? {
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
    enum Next {
        case line(QueuedLine)
        case dropped(DropRange)
    }

    /// Whether anything (a line or a marker) is waiting.
    var hasWork: Bool { !lines.isEmpty || pendingDrop != nil }

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
