import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

extension PairLink {
    /// This process's role as `pair status` and `stats` name it.
    package var roleName: String {
        switch state.phase {
        case .alone, .welcoming, .paired: return "primary"
        case .waiting, .shadowing, .fencing: return "backup"
        case .stopped: return "stopped"
        }
    }

    /// The pair's state as one JSON object member `pair` (both roles and pids, the last heartbeat, the checkpoint
    /// lag, the ring), for `trapmux pair status` and `stats`.
    package func writeStatus(into writer: inout JSONWriter) {
        writer.key("pair")
        writer.beginObject()
        writer.field("role", roleName)
        writer.field("pid", Int(getpid()))
        writer.field("phase", "\(state.phase)".prefix { $0 != "(" }.description)
        writer.field("control", settings.control)
        writer.field("heartbeat_ms", TimeAmount(settings.heartbeat).nanoseconds / 1_000_000)
        writer.field("missed", settings.missed)
        writePeer(into: &writer)
        let lastSeq = state.isPrimary ? router.lastSeq : ring.lastSeq
        writer.field("last_seq", lastSeq)
        writer.key("checkpoint")
        writer.beginObject()
        writer.field("batches", checkpoint.counters.batches)
        writer.field("records", checkpoint.counters.records)
        writer.field("bytes", checkpoint.counters.bytes)
        writer.field("dropped", checkpoint.counters.dropped)
        if state.isPrimary, let seq = peerHeartbeat?.seq, peer != nil {
            // How many events the backup's last heartbeat was behind this primary's sequence.
            writer.field("lag", router.lastSeq > seq ? router.lastSeq - seq : 0)
        }
        writer.endObject()
        writeRing(into: &writer)
        writer.endObject()
    }

    private func writePeer(into writer: inout JSONWriter) {
        writer.key(state.isPrimary ? "backup" : "primary")
        guard peer != nil || peerPID != 0 else {
            writer.null()
            return
        }
        writer.beginObject()
        writer.field("pid", Int(peerPID))
        writer.field("connected", peer != nil ? "yes" : "no")
        if let at = peerHeartbeatAt {
            writer.field("last_heartbeat_ms_ago", (NIODeadline.now() - at).nanoseconds / 1_000_000)
        }
        if let seq = peerHeartbeat?.seq {
            writer.field("last_seq", seq)
        }
        writer.endObject()
    }

    private func writeRing(into writer: inout JSONWriter) {
        writer.key("ring")
        writer.beginObject()
        writer.field("events", ring.entries.count)
        writer.field("capacity", ring.capacity)
        writer.field("first_seq", ring.firstSeq ?? 0)
        writer.field("last_seq", ring.lastSeq)
        writer.field("evicted", ring.evicted)
        writer.endObject()
    }

    /// The `pair status` answer: one JSON object.
    package func statusJSON() -> String {
        String(decoding: SubscriberProtocol.line { writeStatus(into: &$0) }.dropLast(), as: UTF8.self)
    }
}
