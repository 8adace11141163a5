import NIOCore
import TrapDecoder
import TrapEvents

/// The life of one process of a pair, as a value with explicit actions (tested without sockets, SPEC §14).
///
/// A primary runs `alone` until a backup pairs (`paired`), and again when that backup goes or stops answering (it
/// says so before it closes). A backup `waiting` for a primary retries; once `shadowing` it counts the primary's
/// heartbeats: the end of the connection without a hand-over, the primary's process gone, means it died
/// (Primary-Aborted); a primary still running that closed the connection dropped this backup, which pairs again
/// (never two primaries); `missed` heartbeats in a row mean it hangs, so the backup fences it (SIGKILL) and takes
/// over when the connection ends, or when fencing has had `fenceGrace` to work. After `takeover` the former backup
/// is a primary running `alone`.
package struct PairState: Equatable {
    package enum Phase: Equatable {
        case alone
        /// A backup was accepted and is being sent the sockets and the retained events.
        case welcoming(backupPID: Int32)
        case paired(backupPID: Int32)
        case waiting
        case shadowing(primaryPID: Int32)
        case fencing(primaryPID: Int32, since: NIODeadline)
        case stopped
    }

    /// What the process must do.
    package enum Action: Equatable {
        case none
        /// Primary: send `welcome` with the sockets, and checkpoint from now on.
        case welcome
        /// Primary: answer `refused` with this reason and close.
        case refuse(String)
        /// Primary: stop checkpointing to the backup and close its connection; the reason is logged.
        case dropBackup(String)
        /// Primary: send `handoff` (its listeners already closed) and let the backup take over.
        case handOff(ProcessEvent.TakeoverCause, primaryCause: ProcessEvent.TerminationCause)
        /// Backup: say once that no primary answers yet.
        case reportWaiting
        /// Backup: paired; announce 102 with `current state: backup`.
        case announceBackup
        /// Backup: SIGKILL the primary's pid, then wait for its connection to end.
        case fence(pid: Int32)
        /// Backup: take over now.
        case takeOver(ProcessEvent.Takeover)
        /// Backup: the primary lives and let this backup go; connect and pair again.
        case pairAgain(String)
    }

    package private(set) var phase: Phase
    /// When the other side was last heard from (any frame).
    package private(set) var lastHeard: NIODeadline = .uptimeNanoseconds(0)
    /// When `tick` last ran: a tick that comes late means this process itself stalled.
    private var lastTick: NIODeadline?
    private var reportedWaiting = false
    /// Silence after which the other side counts as hung: heartbeat × missed.
    package let deadline: TimeAmount
    /// How long a fenced primary's connection may take to end before the backup takes over anyway.
    package let fenceGrace: TimeAmount

    /// `fenceGrace` is long enough for the checkpoints still in the socket to be read before the connection's end
    /// is seen (a killed process's end comes at once), and bounds the wait when that end never comes.
    package init(role: PairRole, deadline: TimeAmount, fenceGrace: TimeAmount = .seconds(1)) {
        phase = role == .primary ? .alone : .waiting
        self.deadline = deadline
        self.fenceGrace = fenceGrace
    }

    /// Whether this process serves traps (a primary, or a backup that took over).
    package var isPrimary: Bool {
        switch phase {
        case .alone, .welcoming, .paired: return true
        default: return false
        }
    }

    // MARK: Primary

    /// A backup said `hello`. Its heartbeats count from when its connection is attached (`heard`), so sending it
    /// the retained events does not make it look silent.
    package mutating func backupArrived(pid: Int32, now: NIODeadline) -> Action {
        switch phase {
        case .alone:
            phase = .welcoming(backupPID: pid)
            lastHeard = now
            return .welcome
        case .welcoming(let current), .paired(let current):
            return .refuse("a backup (pid \(current)) is paired with this primary already")
        default:
            return .refuse("this process is not a primary")
        }
    }

    /// The welcomed backup's connection is attached: checkpoints flow and its heartbeats count from now. False
    /// when it was given up meanwhile.
    package mutating func backupAttached(pid: Int32, now: NIODeadline) -> Bool {
        guard phase == .welcoming(backupPID: pid) else { return false }
        phase = .paired(backupPID: pid)
        lastHeard = now
        return true
    }

    /// The backup's connection ended.
    package mutating func backupLeft() -> Action {
        switch phase {
        case .welcoming, .paired:
            phase = .alone
            return .dropBackup("the backup's control connection ended")
        default:
            return .none
        }
    }

    /// `trapmux pair takeover`, or SIGTERM (`stopping`): a paired primary hands over.
    package mutating func handOver(stopping: Bool) -> Action {
        guard case .paired = phase else { return .none }
        phase = .stopped
        return stopping
            ? .handOff(.primaryTerminated, primaryCause: .terminationRequest)
            : .handOff(.operatorRequest, primaryCause: .processStopped)
    }

    // MARK: Backup

    /// Connecting to the primary's control socket failed.
    package mutating func primaryUnreachable() -> Action {
        guard phase == .waiting, !reportedWaiting else { return .none }
        reportedWaiting = true
        return .reportWaiting
    }

    /// The primary answered with `welcome` and the sockets.
    package mutating func paired(primaryPID: Int32, now: NIODeadline) -> Action {
        guard phase == .waiting else { return .none }
        phase = .shadowing(primaryPID: primaryPID)
        lastHeard = now
        return .announceBackup
    }

    /// The primary sent `handoff`.
    package mutating func handoffReceived(_ handoff: PairControlProtocol.Handoff) -> Action {
        guard case .shadowing(let pid) = phase else { return .none }
        phase = .alone
        return .takeOver(.init(cause: handoff.cause, primaryCause: handoff.primaryCause, primaryPID: pid))
    }

    /// The primary said it lets this backup go (`refused` after pairing), before closing the connection.
    package mutating func primaryDroppedThisBackup(_ reason: String) -> Action {
        guard case .shadowing = phase else { return .none }
        phase = .waiting
        return .pairAgain(reason)
    }

    /// The primary's connection ended (it exited, was killed, or fencing worked); `primaryAlive` when its process
    /// still runs after the connection ended (it closed the connection itself).
    package mutating func primaryConnectionEnded(primaryAlive: Bool = false) -> Action {
        switch phase {
        case .shadowing where primaryAlive:
            phase = .waiting
            return .pairAgain("the primary closed the connection and still runs")
        case .shadowing(let pid):
            phase = .alone
            return .takeOver(.init(cause: .primaryAborted, primaryCause: .processAborted, primaryPID: pid))
        case .fencing(let pid, _):
            phase = .alone
            return .takeOver(.init(cause: .heartbeatLost, primaryCause: .loopTimerTimeout, primaryPID: pid))
        default:
            return .none
        }
    }

    // MARK: Both

    /// Any frame from the other side.
    package mutating func heard(at now: NIODeadline) {
        lastHeard = now
    }

    /// The heartbeat timer: a silent backup is dropped; a silent primary is fenced, and taken over once fenced.
    ///
    /// A tick more than half the deadline after the one before means this process was not running (descheduled,
    /// stopped, swapping): the other side's silence is then no evidence, so it gets a whole deadline again rather
    /// than being fenced for this process's own stall.
    package mutating func tick(now: NIODeadline) -> Action {
        defer { lastTick = now }
        if let lastTick, now - lastTick > TimeAmount.nanoseconds(deadline.nanoseconds / 2) {
            lastHeard = max(lastHeard, now)
            return .none
        }
        switch phase {
        case .paired(let pid) where now - lastHeard > deadline:
            phase = .alone
            return .dropBackup("the backup (pid \(pid)) missed its heartbeats")
        case .shadowing(let pid) where now - lastHeard > deadline:
            phase = .fencing(primaryPID: pid, since: now)
            return .fence(pid: pid)
        case .fencing(let pid, let since) where now - since > fenceGrace:
            phase = .alone
            return .takeOver(.init(cause: .heartbeatLost, primaryCause: .loopTimerTimeout, primaryPID: pid))
        default:
            return .none
        }
    }

    /// The server is stopping.
    package mutating func stop() {
        phase = .stopped
    }
}
