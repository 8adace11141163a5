import TrapDecoder
import TrapEvents

/// Which process of a pair this is (SPEC §14).
package enum PairRole: String, Sendable, Equatable, CaseIterable {
    /// Binds the sockets, receives, delivers, checkpoints to the backup.
    case primary
    /// Holds the primary's sockets, keeps its checkpoints, takes over when it ends or hangs.
    case backup
}

/// The process pair and the replay ring (SPEC §14, §6 `resume_after`).
package struct PairSettings: Sendable, Equatable {
    /// The defaults documented in README.md.
    package init() {}

    /// This process's role; nil runs a single server (no control socket), which still keeps the replay ring.
    package var role: PairRole?
    /// The primary's control socket (Unix stream), where the backup and `trapmux pair` connect.
    package var control = "/run/trapmux/trapmux-pair.sock"
    /// How often each side tells the other it is alive.
    package var heartbeat: Duration = .milliseconds(500)
    /// Heartbeats missed in a row after which the backup fences the primary (SIGKILL) and takes over.
    package var missed = 3
    /// Events kept for `resume_after` (and, in the backup, from the checkpoints).
    package var ring = 100_000

    /// How long the backup waits without hearing from the primary before it fences it.
    package var deadline: Duration { heartbeat * missed }
}

extension PairSettings {
    /// `[pair]`: `role` ("primary"|"backup"), `control` (path), `heartbeat` (duration, default "500ms"),
    /// `missed` (integer, default 3), `ring` (events kept for resume_after, default 100000).
    package init(_ reader: inout KeyReader) throws(ConfigurationError) {
        self.init()
        role = try reader.choice("role", of: PairRole.self)
        control = try reader.string("control") ?? control
        heartbeat = try reader.duration("heartbeat") ?? heartbeat
        missed = try reader.integer("missed", in: 1...100) ?? missed
        ring = try reader.integer("ring", in: 0...10_000_000) ?? ring
        guard heartbeat >= .milliseconds(10) && heartbeat <= .seconds(60) else {
            throw reader.error("heartbeat", "expected a duration from 10ms to 60s")
        }
        guard !control.isEmpty else {
            throw reader.error("control", "expected the path of the pair's control socket")
        }
        try reader.rejectUnknownKeys()
    }
}
