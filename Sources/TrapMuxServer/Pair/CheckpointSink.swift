import NIOCore
import TrapDecoder
import TrapEvents

/// The primary's checkpoints to its backup (SPEC §14): every event of a receive batch, written to the control
/// connection when the batch ends and before any other sink publishes it.
///
/// The router's first sink, so its `flush` runs before the subscribers' and the relays'. It never waits: a write
/// is issued only while the connection is writable (NIO buffers at most its high-water mark); otherwise the batch
/// is dropped and counted, and the backup sees the gap in the sequence. Confined to the router's event loop.
package final class CheckpointSink: EventSink {
    /// What the sink counted since start.
    package struct Counters {
        package var batches: UInt64 = 0
        package var records: UInt64 = 0
        package var bytes: UInt64 = 0
        /// Batches not sent because the backup did not keep up.
        package var dropped: UInt64 = 0
    }

    /// Frames kept for a backup that is being welcomed, until its connection is handed to NIO.
    private static let pendingLimit = 32 << 20

    private var channel: Channel?
    /// While a backup is being welcomed: the frames it will get once attached.
    private var pending: ByteBuffer?
    private var frame: ByteBuffer?
    private var count: UInt32 = 0
    /// The last sequence number the relays had sent everything up to (see `relaysCaughtUp`).
    private var relayedThrough: UInt64 = 0
    package private(set) var counters = Counters()
    /// Set while the hand-over's last batch is written.
    private var forceNextWrite = false

    package init() {}

    /// Whether a backup gets checkpoints (pairing or paired).
    package var isActive: Bool { channel != nil || pending != nil }

    /// Starts keeping checkpoints for a backup that is being welcomed.
    package func beginPairing() {
        pending = ByteBufferAllocator().buffer(capacity: 64 << 10)
    }

    /// The backup's connection is ready: what was kept goes first, then every batch.
    package func attach(_ channel: Channel) {
        self.channel = channel
        if let pending, pending.readableBytes > 0 {
            channel.writeAndFlush(pending, promise: nil)
        }
        pending = nil
    }

    /// The backup is gone.
    package func detach() {
        channel = nil
        pending = nil
        frame = nil
        count = 0
    }

    /// Sends a frame that is not a batch (heartbeat, relays, engines, handoff) the same way.
    package func send(_ frame: ByteBuffer) {
        write(frame)
    }

    /// Runs `body` (the last routing before a hand-over) with its batch written even above the high-water mark: it
    /// is one batch, and the backup reads everything before the `handoff` that follows it.
    package func forcingWrites(_ body: () -> Void) {
        forceNextWrite = true
        body()
        forceNextWrite = false
    }

    /// The relays have sent (or hold in the relay checkpoint) every event up to `seq`.
    package func relaysCaughtUp(through seq: UInt64) {
        relayedThrough = seq
    }

    package func accept(_ routed: inout RoutedTrap) {
        guard isActive else { return }
        openFrame()
        PairCheckpointCoding.writeTrap(routed.event, into: &frame!)
        count += 1
    }

    package func accept(_ routed: inout RoutedProcessEvent) {
        guard isActive else { return }
        openFrame()
        PairCheckpointCoding.writeProcess(routed.event, seq: routed.seq, at: routed.at, into: &frame!)
        count += 1
    }

    package func flush() {
        guard var frame, count > 0 else { return }
        self.frame = nil
        // length (u32), type (u8), relayedThrough (u64), then the count (u32).
        frame.setInteger(UInt32(frame.writerIndex - 4), at: 0)
        frame.setInteger(count, at: 13)
        counters.records += UInt64(count)
        count = 0
        write(frame)
    }

    /// Starts this batch's frame: its header, with the length and count set when it is sent.
    private func openFrame() {
        if frame == nil {
            var buffer = ByteBufferAllocator().buffer(capacity: 16 << 10)
            buffer.writeInteger(UInt32(0))
            buffer.writeInteger(PairControlProtocol.FrameType.batch.rawValue)
            buffer.writeInteger(relayedThrough)
            buffer.writeInteger(UInt32(0))
            frame = buffer
        }
    }

    private func write(_ frame: ByteBuffer) {
        if let channel {
            guard channel.isWritable || forceNextWrite else {
                counters.dropped += 1
                return
            }
            counters.batches += 1
            counters.bytes += UInt64(frame.readableBytes)
            channel.writeAndFlush(frame, promise: nil)
        } else if pending != nil {
            guard pending!.readableBytes + frame.readableBytes <= Self.pendingLimit else {
                counters.dropped += 1
                return
            }
            var frame = frame
            pending!.writeBuffer(&frame)
        }
    }
}
