import NIOCore
import TrapDecoder
import TrapEvents

/// The most recent events, kept for subscribers that resume after a sequence number (`resume_after`, SPEC §6).
///
/// The router adds every event it routes; a pair's backup adds the primary's checkpoints instead, so that after a
/// takeover it can serve what the primary had published (SPEC §14). Bounded by `capacity` (`[pair] ring`): the
/// oldest event makes room. Lines are rendered only when a subscriber asks for them. Confined to the router's loop.
package final class EventRing: EventSink {
    /// One retained event.
    package enum Entry: Sendable {
        /// A primary keeps each trap as its checkpoint record (see `RetainedRecord`).
        case retained(RetainedRecord)
        /// A pair's backup keeps traps as checkpointed, decoded when asked for.
        case checkpointed(CheckpointedTrap)
        case process(ProcessEvent, seq: UInt64, at: Int64)

        /// Its sequence number.
        package var seq: UInt64 {
            switch self {
            case .retained(let record): return record.seq
            case .checkpointed(let trap): return trap.seq
            case .process(_, let seq, _): return seq
            }
        }

        /// The trap event, decoding a checkpointed one; nil for a process event or a record that does not decode.
        package var trapEvent: TrapEvent? {
            switch self {
            case .retained(let record): return record.checkpointed()?.event()
            case .checkpointed(let trap): return trap.event()
            case .process: return nil
            }
        }
    }

    /// What a resuming subscriber is sent, in order.
    package enum ReplayItem {
        /// Events after the resume point that are not retained (or beyond the subscriber's queue).
        case notRetained(SubscriberQueue.DropRange)
        /// One retained event's line.
        case line(ByteBuffer, seq: UInt64)
    }

    package let capacity: Int
    private let renderer: EventRenderer
    /// Where an SNMPv3 trap's record is written before it is copied into `chunk`.
    private var record = ByteBuffer()
    /// The chunk records are copied into (see `RetainedRecord`).
    private var chunk = RecordChunk(capacity: 0)
    /// Where replayed lines are rendered (replays run between the router's batches, never inside one).
    private let arena = LineArena()
    package private(set) var entries = CircularBuffer<Entry>()
    /// The highest sequence number added (0 before any).
    package private(set) var lastSeq: UInt64 = 0
    /// Events that made room for newer ones.
    package private(set) var evicted: UInt64 = 0

    package init(capacity: Int, renderer: EventRenderer) {
        self.capacity = max(0, capacity)
        self.renderer = renderer
        entries.reserveCapacity(min(self.capacity, 4096))
    }

    /// Adds an event; one not newer than the last is ignored (a checkpoint sent twice).
    package func append(_ entry: Entry) {
        guard entry.seq > lastSeq else { return }
        lastSeq = entry.seq
        guard capacity > 0 else { return }
        if entries.count >= capacity {
            entries.removeFirst()
            evicted += 1
        }
        entries.append(entry)
    }

    /// Takes the sequence forward without an event (sequence numbers the backup learnt of but never saw).
    package func advance(to seq: UInt64) {
        lastSeq = max(lastSeq, seq)
    }

    /// The sequence number of the oldest retained event.
    package var firstSeq: UInt64? { entries.first?.seq }

    package func accept(_ routed: inout RoutedTrap) {
        let event = routed.event
        guard capacity > 0 else {
            lastSeq = max(lastSeq, event.seq)
            return
        }
        let stored: (chunk: RecordChunk, offset: Int, length: Int)
        if let size = PairCheckpointCoding.plainTrapRecordSize(event) {
            stored = store(count: size) { PairCheckpointCoding.writePlainTrap(event, at: $0) }
        } else {
            record.clear()
            PairCheckpointCoding.writeTrap(event, into: &record)
            stored = record.withUnsafeReadableBytes { bytes in
                store(count: bytes.count) { $0.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            }
        }
        append(.retained(RetainedRecord(chunk: stored.chunk, offset: stored.offset, length: stored.length, seq: event.seq)))
    }

    /// Writes `count` bytes into the current chunk, or a new one when they do not fit.
    private func store(
        count: Int, _ write: (UnsafeMutableRawPointer) -> Void
    ) -> (chunk: RecordChunk, offset: Int, length: Int) {
        if let offset = chunk.append(count: count, write) { return (chunk, offset, count) }
        chunk = RecordChunk(capacity: max(RecordChunk.standardCapacity, count))
        return (chunk, chunk.append(count: count, write)!, count)
    }

    package func accept(_ routed: inout RoutedProcessEvent) {
        append(.process(routed.event, seq: routed.seq, at: routed.at))
    }

    package func flush() {}

    /// The next part of a replay: of the (at most `maxEntries`) retained events after `seq`, the lines of those
    /// `subscription` wants, with markers for sequence numbers that are not retained, oldest first; and the
    /// sequence number the part reaches (`lastSeq` once the replay has caught up).
    package func replay(
        after seq: UInt64, for subscription: SubscriberProtocol.Subscription, maxEntries: Int
    ) -> (items: [ReplayItem], through: UInt64) {
        guard seq < lastSeq else { return ([], seq) }
        var items: [ReplayItem] = []
        var expected = seq + 1
        let remaining = entries[firstIndex(after: seq)...]
        let part = remaining.prefix(maxEntries)
        for entry in part {
            if entry.seq > expected {
                items.append(.notRetained(gap(from: expected, to: entry.seq - 1)))
            }
            expected = entry.seq + 1
            if let line = line(entry, for: subscription) {
                items.append(.line(line, seq: entry.seq))
            }
        }
        // Past the last retained event: sequence numbers learnt of without their events.
        if part.count == remaining.count && expected <= lastSeq {
            items.append(.notRetained(gap(from: expected, to: lastSeq)))
            expected = lastSeq + 1
        }
        return (items, expected - 1)
    }

    private func gap(from first: UInt64, to last: UInt64) -> SubscriberQueue.DropRange {
        SubscriberQueue.DropRange(count: last - first + 1, firstSeq: first, lastSeq: last)
    }

    /// The index of the first entry newer than `seq` (binary search: entries are in sequence order).
    private func firstIndex(after seq: UInt64) -> CircularBuffer<Entry>.Index {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[entries.index(entries.startIndex, offsetBy: middle)].seq <= seq {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return entries.index(entries.startIndex, offsetBy: low)
    }

    /// The entry's line in the subscriber's format, when it wants the entry (a checkpointed trap is decoded here).
    private func line(_ entry: Entry, for subscription: SubscriberProtocol.Subscription) -> ByteBuffer? {
        if case .process(let event, let seq, let at) = entry {
            guard subscription.processEvents else { return nil }
            var routed = RoutedProcessEvent(event, seq: seq, at: at, renderer: renderer)
            return routed.line(subscription.format)
        }
        guard let event = entry.trapEvent, subscription.filter.matches(event) else { return nil }
        let routed = RoutedTrap(event, renderer: renderer, arena: arena)
        return routed.line(subscription.format, parts: subscription.parts)
    }
}
