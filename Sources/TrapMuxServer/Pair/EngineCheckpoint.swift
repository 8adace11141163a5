import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// The SNMPv3 time-window cache in an `engines` frame (SPEC §14): each remote engine's boots and its clock as the
/// primary knows it now, so that a backup taking over neither rejects that engine's traps as outside the time
/// window nor accepts replays the primary would have refused.
package enum EngineCheckpoint {
    /// The frame for `cache`, each clock read at `now` (monotonic seconds).
    package static func frame(_ cache: USMRemoteEngineCache, now: Int64) -> ByteBuffer {
        PairControlProtocol.frame(.engines) { buffer in
            buffer.writeInteger(UInt32(cache.entries.count))
            for (engineID, entry) in cache.entries {
                buffer.writeLongBytes(engineID)
                buffer.writeInteger(entry.boots)
                buffer.writeInteger(entry.time(at: now))
                buffer.writeInteger(entry.latestReceivedTime)
            }
        }
    }

    /// Sets every engine of an `engines` frame's body into `cache`, its clock counted from `now`.
    package static func apply(
        _ body: inout ByteBuffer, to cache: inout USMRemoteEngineCache, now: Int64
    ) throws(PairControlProtocol.ProtocolError) {
        let count = try body.need(UInt32.self, "engines count")
        for _ in 0..<count {
            let engineID = try body.needLongBytes("engine id")
            let boots = try body.need(Int32.self, "engine boots")
            let time = try body.need(Int32.self, "engine time")
            _ = try body.need(Int32.self, "engine latest")
            cache.set(engineID: engineID, boots: boots, time: time, at: now)
        }
        try body.finish("engines")
    }
}
