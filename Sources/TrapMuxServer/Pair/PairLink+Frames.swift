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
        peerPID = pid
        let welcome = PairControlProtocol.Welcome(
            pid: getpid(), lastSeq: router.lastSeq, udp: [], socket: "")
        return .success((welcome, Array(ring.entries)))
    }

    /// Why a backup is refused.
    struct RefusedBackup: Error {
        let reason: String
    }

    /// The welcomed backup's connection is in NIO's hands: checkpoints flow.
    func attachBackup(_ channel: Channel) {
        peer = channel
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
        guard case .paired = state.phase else { return false }
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
        router.route(.terminated(primaryCause), at: WallClock.microseconds())
        handedOver = true
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
        } else {
            perform(state.primaryConnectionEnded())
        }
    }

    // MARK: Backup

    /// The primary welcomed this backup and passed its sockets; its connection is in NIO's hands.
    func pairedWithPrimary(_ channel: Channel, welcome: PairControlProtocol.Welcome, pid: Int32) {
        peer = channel
        peerPID = pid
        primarySeq = welcome.lastSeq
        perform(state.paired(primaryPID: pid, now: .now()))
        startTimer()
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
        self.takeover.succeed(takeover)
    }

    private func resumeRelaying() {
        guard let dispatcher = relays.dispatcher else { return }
        if let relayCheckpoint { dispatcher.restore(relayCheckpoint) }
        let sentThrough = max(relayedThrough, relayCheckpoint?.seq ?? 0)
        for case .trap(let event) in ring.entries where event.seq > sentThrough {
            var routed = RoutedTrap(event, renderer: router.renderer)
            relays.accept(&routed)
        }
        relays.flush()
    }
}
