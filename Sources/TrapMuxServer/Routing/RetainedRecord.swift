import NIOCore

/// A trap the ring retains, as its checkpoint record (`PairCheckpointCoding.writeTrap`) in a chunk of memory shared
/// with the records around it. Copying each event's bytes into chunks allocated a megabyte at a time keeps the ring
/// compact (about the datagram's size per event) and costs the receive path no allocation per trap; holding the
/// events themselves would hold the receive buffers their views point into.
package struct RetainedRecord: Sendable {
    let chunk: RecordChunk
    let offset: Int
    let length: Int
    /// Its sequence number.
    package let seq: UInt64

    /// The record's fields; nil if they do not read (they were written by this process, so never in practice).
    package func checkpointed() -> CheckpointedTrap? {
        var buffer = chunk.bytes(at: offset, length: length)
        return try? PairCheckpointCoding.readTrapRecord(&buffer)
    }

    /// Writes the record as it is, for a new backup.
    package func write(into buffer: inout ByteBuffer) {
        buffer.writeBytes(chunk.view(at: offset, length: length))
    }
}

/// Memory that records are copied into, back to back, and read from until the last record in it is evicted; then
/// ARC frees it. Written only on the ring's event loop, and only past what has been handed out, so the shared reads
/// never see a change.
package final class RecordChunk: @unchecked Sendable {
    /// Size of a chunk unless one record needs more.
    static let standardCapacity = 1 << 20
    private let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    /// Lets `body` write `count` bytes at the end; returns where they start, nil when they do not fit.
    func append(count: Int, _ body: (UnsafeMutableRawPointer) -> Void) -> Int? {
        guard count <= capacity - used else { return nil }
        let offset = used
        body(base + offset)
        used += count
        return offset
    }

    func view(at offset: Int, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + offset, count: length)
    }

    func bytes(at offset: Int, length: Int) -> ByteBuffer {
        ByteBuffer(bytes: view(at: offset, length: length))
    }
}
