import Foundation
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import SNMPSecurity
import TrapDecoder
import TrapEvents

extension PairLink {
    // MARK: Primary

    /// A backup said `hello` (on the control server's thread, through the loop): the welcome's contents and the
    /// retained events to send it first, or why it is refused. Checkpoints are kept for it from now on.
    func backupArrived(pid: Int32) -> Result<(PairControlProtocol.Welcome, [EventRing.Entry]), RefusedBackup> {
        let action = state.backupArrived(pid: pid, now: .now())
        guard action == .welcome else {
            if case .refuse(let reason) = action { return .failure(RefusedBackup(reason: reason)) }
            return .failure(RefusedBackup(reason: "not a primary"))
        }
        checkpoint.beginPairing()
        let welcome = PairControlProtocol.Welcome(
            pid: getpid(), lastSeq: router.lastSeq, udp: [], socket: "")
        // All retained events, so that a subscriber that lags behind can resume from the backup as far back as from
        // this primary; the backup counts as paired (and its silence as silence) once they are sent.
        return .success((welcome, Array(ring.entries)))
    }

    /// Why a backup is refused.
    struct RefusedBackup: Error {
        let reason: String
    }

    /// The welcomed backup's connection is in NIO's hands: checkpoints flow (unless it was given up meanwhile).
    func attachBackup(_ channel: Channel, pid: Int32) {
        guard state.backupAttached(pid: pid, now: .now()) else {
            channel.close(promise: nil)
            return
        }
        peer = channel
        peerPID = pid
        checkpoint.attach(channel)
        logger.notice("backup paired", metadata: ["pair.backup_pid": "\(peerPID)"])
        startTimer()
    }

    /// Welcoming the backup failed half-way.
    func backupFailed() {
        perform(state.backupLeft())
    }

    /// `trapmux pair takeover` (true when a backup can take over; the stop that follows hands over).
    func requestTakeover() -> Bool {
        guard case .paired = state.phase, peer != nil else { return false }
        plannedTakeover = true
        return true
    }

    /// The primary stops reading (its listeners are closed): the last checkpoints, then `handoff`, are written.
    /// The future completes once they have left for the socket (or there is no backup).
    package func handOver() -> EventLoopFuture<Void> {
        guard case .handOff(let cause, let primaryCause) = state.handOver(stopping: !plannedTakeover), let peer else {
            return eventLoop.makeSucceededVoidFuture()
        }
        stopTimer()
        logger.notice("handing over to the backup", metadata: ["pair.backup_pid": "\(peerPID)", "pair.cause": "\(cause.rawValue)"])
        // This process's 101 is the last event of its sequence, checkpointed like the others (routing flushes), so
        // the backup numbers its own events after it.
        announcement.log(.terminated(primaryCause))
        checkpoint.forcingWrites {
            router.route(.terminated(primaryCause), at: WallClock.microseconds())
        }
        handedOver = true
        sockets.markHandedOver()
        return peer.writeAndFlush(PairControlProtocol.handoff(.init(cause: cause, primaryCause: primaryCause)))
            .recover { _ in }
    }

    // MARK: Both

    /// A frame from the other process.
    func received(_ type: PairControlProtocol.FrameType, _ body: inout ByteBuffer) throws(PairControlProtocol.ProtocolError) {
        state.heard(at: .now())
        switch type {
        case .heartbeat:
            peerHeartbeat = try PairControlProtocol.readHeartbeat(&body)
            peerHeartbeatAt = .now()
            if !state.isPrimary, let beat = peerHeartbeat { primarySeq = max(primarySeq, beat.seq) }
        case .batch where !state.isPrimary:
            let (relayed, entries) = try PairCheckpointCoding.readBatch(&body)
            relayedThrough = max(relayedThrough, relayed)
            for entry in entries { ring.append(entry) }
        case .relays where !state.isPrimary:
            relayCheckpoint = try RelayCheckpoint(reading: &body)
        case .engines where !state.isPrimary:
            try EngineCheckpoint.apply(&body, to: &v3.remoteEngines, now: MonotonicSeconds.now())
        case .handoff where !state.isPrimary:
            perform(state.handoffReceived(try PairControlProtocol.readHandoff(&body)))
        case .refused where !state.isPrimary:
            perform(state.primaryDroppedThisBackup(try PairControlProtocol.readText(&body)))
        default:
            throw .init("unexpected \(type) frame")
        }
    }

    /// The other process's connection ended.
    func peerClosed(_ channel: Channel) {
        guard channel === peer else { return }
        peer = nil
        if state.isPrimary {
            perform(state.backupLeft())
        } else if case .fencing = state.phase {
            // Killed by this backup: its end is known.
            perform(state.primaryConnectionEnded())
        } else {
            awaitPrimaryEnd(peerPID, checks: 100)
        }
    }

    /// After the connection ended: a primary whose process is gone (or a zombie) died, and is taken over; one that
    /// still runs after 100 checks 5 ms apart closed the connection itself, and this backup pairs again. A dying
    /// process closes its descriptors before it ends, so its end is waited for rather than taken as seen.
    private func awaitPrimaryEnd(_ pid: Int32, checks: Int) {
        let alive = PrimaryProcess.isRunning(pid)
        guard alive && checks > 0 else {
            perform(state.primaryConnectionEnded(primaryAlive: alive))
            return
        }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: .milliseconds(5)) { bound.value.awaitPrimaryEnd(pid, checks: checks - 1) }
    }

    // MARK: Backup

    /// The primary welcomed this backup and passed its sockets; its connection is in NIO's hands. The future tells
    /// how this shadowing ends.
    func pairedWithPrimary(
        _ channel: Channel, welcome: PairControlProtocol.Welcome, pid: Int32
    ) -> EventLoopFuture<ShadowEnd> {
        let ended = eventLoop.makePromise(of: ShadowEnd.self)
        shadowEnded = ended
        peer = channel
        peerPID = pid
        primarySeq = max(primarySeq, welcome.lastSeq)
        perform(state.paired(primaryPID: pid, now: .now()))
        startTimer()
        return ended.futureResult
    }

    /// Connecting to the primary failed.
    func primaryUnreachable() {
        perform(state.primaryUnreachable())
    }

    /// Takes over (SPEC §14): continue the primary's sequence, carry on its relaying (queued datagrams,
    /// unacknowledged informs, and the checkpointed events the relays had not sent), then let the listener and the
    /// subscriber socket take the shared sockets; the start gate reports 106.
    func takeOver(_ takeover: ProcessEvent.Takeover) {
        stopTimer()
        peer?.close(promise: nil)
        forgetPeer()
        logger.notice(
            "taking over from the primary",
            metadata: ["pair.cause": "\(takeover.cause.rawValue)", "pair.primary_pid": "\(takeover.primaryPID)",
                       "pair.ring_last_seq": "\(ring.lastSeq)"])
        router.continueSequence(after: max(ring.lastSeq, primarySeq))
        router.add(ring)
        resumeRelaying()
        announcement.set(.takeover(takeover))
        sockets.release()
        shadowEnded?.succeed(.tookOver(takeover))
    }

    private func resumeRelaying() {
        guard let dispatcher = relays.dispatcher else { return }
        if let relayCheckpoint { dispatcher.restore(relayCheckpoint) }
        let sentThrough = max(relayedThrough, relayCheckpoint?.seq ?? 0)
        let arena = LineArena()
        for entry in ring.entries where entry.seq > sentThrough {
            guard let event = entry.trapEvent else { continue }
            var routed = RoutedTrap(event, renderer: router.renderer, arena: arena)
            relays.accept(&routed)
        }
        relays.flush()
    }
}

/// Whether the primary's process still runs, as the backup can see it.
enum PrimaryProcess {
    /// False when its pid is unknown (another pid namespace: the connection's end is all there is to go by), gone,
    /// or a zombie (ended, not yet reaped by its parent).
    static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) < stat.endIndex
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}
