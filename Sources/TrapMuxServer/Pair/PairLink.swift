import Logging
import NIOConcurrencyHelpers
import NIOCore
import SNMPSecurity
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// One process of a pair, as the router's event loop sees it (SPEC §14): the state machine, the connection to the
/// other process, heartbeats, and what a backup keeps of its primary's checkpoints until it takes over.
///
/// A router sink after the relays, so that at the end of each receive batch it can tell the checkpoints how far the
/// relays got. Confined to the router's event loop, like everything it touches.
package final class PairLink: EventSink {
    package let settings: PairSettings
    package let eventLoop: EventLoop
    package internal(set) var state: PairState
    let router: EventRouter
    package let ring: EventRing
    package let checkpoint: CheckpointSink
    let relays: RelaySink
    let v3: SNMPv3Receiver
    let sockets: SharedSockets
    let announcement: PairAnnouncement
    let logger: Logger
    /// The other process's control connection.
    var peer: Channel?
    package internal(set) var peerPID: Int32 = 0
    /// The other side's last heartbeat, and when it came.
    package internal(set) var peerHeartbeat: PairControlProtocol.Heartbeat?
    package internal(set) var peerHeartbeatAt: NIODeadline?
    private var timer: RepeatedTask?
    private var lastHeartbeatSent = NIODeadline.uptimeNanoseconds(0)
    private var lastRelaysSent = NIODeadline.uptimeNanoseconds(0)
    private var lastEnginesSent: USMRemoteEngineCache?
    /// A backup's knowledge of its primary: the relays' last checkpoint, how far they had sent, its sequence.
    var relayCheckpoint: RelayCheckpoint?
    var relayedThrough: UInt64 = 0
    var primarySeq: UInt64 = 0
    /// A `trapmux pair takeover` was accepted: the coming stop hands over with Operator-Request.
    package internal(set) var plannedTakeover = false
    /// The hand-over was sent, with this process's 101 before it.
    package internal(set) var handedOver = false
    /// How a backup's shadowing of its primary ended: completed when it takes over, or must pair again; fails when
    /// the server stops first. A new one for each pairing.
    package internal(set) var shadowEnded: EventLoopPromise<ShadowEnd>?

    /// How shadowing a primary ended.
    package enum ShadowEnd: Sendable {
        case tookOver(ProcessEvent.Takeover)
        case pairAgain
    }

    package init(
        settings: PairSettings, role: PairRole, router: EventRouter, ring: EventRing, checkpoint: CheckpointSink,
        relays: RelaySink, v3: SNMPv3Receiver, sockets: SharedSockets, announcement: PairAnnouncement, logger: Logger
    ) {
        self.settings = settings
        self.eventLoop = router.eventLoop
        self.state = PairState(role: role, deadline: TimeAmount(settings.deadline))
        self.router = router
        self.ring = ring
        self.checkpoint = checkpoint
        self.relays = relays
        self.v3 = v3
        self.sockets = sockets
        self.announcement = announcement
        self.logger = logger
    }

    // MARK: Sink

    package func accept(_ routed: inout RoutedTrap) {}

    package func accept(_ routed: inout RoutedProcessEvent) {}

    /// After the relays flushed: when their queues are empty, every event so far has left them.
    package func flush() {
        if relays.dispatcher?.queuesEmpty ?? true {
            checkpoint.relaysCaughtUp(through: router.lastSeq)
        }
    }

    // MARK: Heartbeats

    /// Starts the timer that sends heartbeats and checks the other side's: fifty checks per heartbeat (every 10 ms
    /// at 500 ms), so a hung primary is fenced within 10 ms of the deadline; a check costs a comparison.
    func startTimer() {
        guard timer == nil else { return }
        let interval = max(TimeAmount.milliseconds(5), TimeAmount.nanoseconds(TimeAmount(settings.heartbeat).nanoseconds / 50))
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.tick()
        }
    }

    func stopTimer() {
        timer?.cancel()
        timer = nil
    }

    private func tick() {
        let now = NIODeadline.now()
        if let peer, now - lastHeartbeatSent >= TimeAmount(settings.heartbeat) {
            lastHeartbeatSent = now
            let beat = PairControlProtocol.Heartbeat(
                seq: state.isPrimary ? router.lastSeq : ring.lastSeq, at: WallClock.microseconds(),
                dropped: checkpoint.counters.dropped)
            if state.isPrimary {
                checkpoint.send(PairControlProtocol.heartbeat(beat))
                sendState(now: now)
            } else {
                peer.writeAndFlush(PairControlProtocol.heartbeat(beat), promise: nil)
            }
        }
        perform(state.tick(now: now))
    }

    /// The relays' queues and unacknowledged informs five times per heartbeat, the engines' clocks when they changed.
    private func sendState(now: NIODeadline) {
        if let dispatcher = relays.dispatcher, now - lastRelaysSent >= TimeAmount.nanoseconds(TimeAmount(settings.heartbeat).nanoseconds / 5) {
            lastRelaysSent = now
            checkpoint.send(dispatcher.checkpoint(seq: router.lastSeq).frame())
        }
        let engines = v3.remoteEngines
        if engines != lastEnginesSent && !engines.entries.isEmpty {
            lastEnginesSent = engines
            checkpoint.send(EngineCheckpoint.frame(engines, now: MonotonicSeconds.now()))
        }
    }

    // MARK: Actions

    /// Does what the state machine asks.
    func perform(_ action: PairState.Action) {
        switch action {
        case .none, .welcome, .refuse:
            break
        case .dropBackup(let reason):
            logger.warning("backup dropped; running without one", metadata: ["pair.reason": "\(reason)"])
            checkpoint.detach()
            if let peer { letGo(peer, reason) }
            forgetPeer()
        case .handOff:
            break
        case .reportWaiting:
            logger.notice(
                "backup waiting: no primary answers on the control socket yet; retrying every heartbeat",
                metadata: ["pair.control": "\(settings.control)"])
        case .announceBackup:
            announcement.log(.startedAsBackup)
        case .fence(let pid):
            fence(pid)
        case .takeOver(let takeover):
            takeOver(takeover)
        case .pairAgain(let reason):
            logger.warning("the primary let this backup go; pairing again", metadata: ["pair.reason": "\(reason)"])
            stopTimer()
            peer?.close(promise: nil)
            forgetPeer()
            shadowEnded?.succeed(.pairAgain)
        }
    }

    /// Tells a backup it is let go (so that it pairs again rather than take over while this primary runs), then
    /// closes its connection once that is written, or after a second if its socket does not take it.
    private func letGo(_ backup: Channel, _ reason: String) {
        backup.writeAndFlush(PairControlProtocol.text(.refused, "dropped by the primary: \(reason)"))
            .whenComplete { _ in backup.close(promise: nil) }
        eventLoop.scheduleTask(in: .seconds(1)) { backup.close(promise: nil) }
    }

    /// The other process is gone: `pair status` shows none.
    func forgetPeer() {
        peer = nil
        peerPID = 0
        peerHeartbeat = nil
        peerHeartbeatAt = nil
    }

    /// SIGKILL for a primary that stopped answering, so that it cannot wake and read the shared sockets again.
    private func fence(_ pid: Int32) {
        logger.error(
            "primary missed \(settings.missed) heartbeats; fencing it with SIGKILL before taking over",
            metadata: ["pair.primary_pid": "\(pid)"])
        // Never pid 0 or -1 (a process group, every process) or this process.
        guard pid > 1, pid != getpid() else { return }
        kill(pid, SIGKILL)
    }

    /// The server is stopping: a waiting backup gives up, the timer ends.
    package func stop() {
        state.stop()
        stopTimer()
        shadowEnded?.fail(CancellationError())
        sockets.cancel()
    }
}

/// The event the start gate reports (102, or 106 after a takeover), and the log of the backup's own 102: shared
/// between the loop and the gate.
package final class PairAnnouncement: Sendable {
    private let event = NIOLockedValueBox(ProcessEvent.started)
    private let reporter: ProcessEventReporter

    package init(reporter: ProcessEventReporter) {
        self.reporter = reporter
    }

    /// What the start gate reports once every socket is ready.
    package var startEvent: ProcessEvent { event.withLockedValue { $0 } }

    /// A takeover: the gate reports 106 instead of 102.
    package func set(_ started: ProcessEvent) {
        event.withLockedValue { $0 = started }
    }

    /// Logs without publishing: a backup's events have no subscribers, and its sequence is not the pair's.
    package func log(_ processEvent: ProcessEvent) {
        reporter.log(processEvent)
    }
}
