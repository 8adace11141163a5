#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// What `tail` has read so far, across the reconnections of `--follow`: the last event's sequence number (where a
/// new connection resumes), the traps printed, and the `--quiet` tally.
struct TailProgress {
    /// The `seq` of the last event read; nil before any.
    var lastSeq: UInt64?
    var traps = 0
    var tally: QuietTally

    init(measuresLatency: Bool) {
        tally = QuietTally(measuresLatency: measuresLatency)
    }

    /// What a reconnection message adds.
    var resumeText: String {
        lastSeq.map { " (resuming after seq \($0))" } ?? ""
    }

    /// Notes the sequence number of an event line.
    mutating func noteSeq(in line: [UInt8]) {
        line.withUnsafeBytes { noteSeq(in: $0) }
    }

    /// Counts a line in `--quiet` mode and notes its sequence number.
    mutating func add(_ line: UnsafeRawBufferPointer) {
        tally.add(line)
        noteSeq(in: line)
    }

    /// The server writes `"seq":N` second in every event object, so the scan ends within the first few dozen bytes.
    private mutating func noteSeq(in line: UnsafeRawBufferPointer) {
        let key: StaticString = #""seq":"#
        let keyLength = key.utf8CodeUnitCount
        let end = min(line.count, 96) - keyLength
        guard end >= 0 else { return }
        for offset in 0...end where line[offset] == UInt8(ascii: "\"") {
            guard memcmp(line.baseAddress! + offset, key.utf8Start, keyLength) == 0 else { continue }
            var value: UInt64 = 0
            var index = offset + keyLength
            while index < line.count, (48...57).contains(line[index]) {
                value = value &* 10 &+ UInt64(line[index] - 48)
                index += 1
            }
            if index > offset + keyLength { lastSeq = value }
            return
        }
    }
}
