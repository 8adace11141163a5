import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// One upstream manager: its filter, its own bounded queue and UDP sockets, and for informs the datagrams
/// waiting for an acknowledgement. Confined to the hub's event loop; the listener never waits for it.
///
/// Two sockets, because a refusing target's ICMP port unreachable is reported only on a connected socket, and
/// there it also breaks up batched sends: sendmmsg stops after one datagram (the error of the next is lost in
/// the kernel), NIO then waits for writability, and a dead target gets one datagram per loop turn with no error
/// counted; an error met by a send instead makes NIO close the channel. So the traffic goes out on an unconnected
/// socket, which never sees ICMP errors, and at most one datagram per `probeInterval` goes through a connected
/// probe socket, where the refusal comes back on a read and is counted and reported. A socket that NIO closes
/// anyway is opened again after `reopenDelay`, so a manager that was down is served again once it is back.
package final class RelayTarget {
    /// Counters shown by `trapmux stats`.
    package struct Counters {
        package var sent: UInt64 = 0
        package var acknowledged: UInt64 = 0
        package var retransmitted: UInt64 = 0
        package var failed: UInt64 = 0
        package var droppedByQueue: UInt64 = 0
        package var sendErrors: UInt64 = 0
    }

    /// The target's two sockets (see the type's documentation).
    package enum Socket: Sendable {
        /// Unconnected: every datagram but the probes.
        case traffic
        /// Connected to the target: one datagram per `probeInterval`, to learn whether the target refuses.
        case probe
    }

    /// A datagram waiting to be sent, with its request-id when it is an inform.
    private struct Pending {
        let requestID: Int32?
        let datagram: ByteBuffer
    }

    /// An inform waiting for its Response-PDU.
    private struct Outstanding {
        let datagram: ByteBuffer
        var attempts: Int
        var deadline: NIODeadline
    }

    /// How often a datagram goes through the probe socket: a refusing target is noticed within this time.
    package static let probeInterval: TimeAmount = .milliseconds(100)
    /// How long a socket that NIO closed stays closed before a new one is opened: a target that stays down
    /// costs one attempt a second, not a busy loop.
    package static let reopenDelay: TimeAmount = .seconds(1)

    package let settings: TrapMuxConfiguration.RelaySettings
    package let address: SocketAddress
    package let eventLoop: EventLoop
    /// The sockets; nil from an unrequested close until the new one is open.
    private var traffic: Channel?
    private var probe: Channel?
    /// Opens a new socket of the kind asked for (the same way the first ones were opened).
    private let openSocket: (Socket) -> EventLoopFuture<Channel>
    private var closing = false
    private var lastProbe = NIODeadline.uptimeNanoseconds(0)
    private let community: [UInt8]
    private var queue = CircularBuffer<Pending>()
    private var outstanding: [Int32: Outstanding] = [:]
    /// The last datagram of a burst, held back so that only it carries a promise (one per flush, not per
    /// datagram): a send error fails it, and so is counted and reported.
    private var heldBack: ByteBuffer?
    /// Reports of send failures: one a minute.
    private var faultReports = ReportThrottle<Bool>(interval: .minutes(1))
    /// The latest write on each socket: writes complete in order, so once it has, everything sent before has
    /// left the socket and it can be closed without failing a queued datagram (see `retire`).
    private var lastTrafficWrite: EventLoopFuture<Void>?
    private var lastProbeWrite: EventLoopFuture<Void>?
    package var counters = Counters()
    /// Reports an I/O fault (event 103); rate-limited here to one a minute.
    package let reportFault: (ProcessEvent.IOFault) -> Void

    /// The upstream user's encoder in `v3` mode.
    private var v3Encoder: V3TrapEncoder?
    /// Where `v2c` and `inform` datagrams are encoded, emptied and reused for each.
    private var writer = BERWriter(capacity: 2048)

    package init(
        settings: TrapMuxConfiguration.RelaySettings, address: SocketAddress, eventLoop: EventLoop,
        v3Encoder: V3TrapEncoder? = nil, openSocket: @escaping (Socket) -> EventLoopFuture<Channel>,
        reportFault: @escaping (ProcessEvent.IOFault) -> Void
    ) {
        self.v3Encoder = v3Encoder
        self.settings = settings
        self.address = address
        self.eventLoop = eventLoop
        self.openSocket = openSocket
        self.community = Array(settings.community.utf8)
        self.reportFault = reportFault
    }

    /// Starts using `channel` as the given socket: its answers and errors come to this target.
    package func adopt(_ channel: Channel, as socket: Socket) throws {
        try channel.pipeline.syncOperations.addHandler(RelayResponseHandler(target: self))
        switch socket {
        case .traffic: traffic = channel
        case .probe: probe = channel
        }
        pump()
    }

    /// A socket became inactive. Unless the server is stopping, NIO closed it after an error: a new one is
    /// opened after `reopenDelay`; meanwhile traps wait in the bounded queue (or skip the probe).
    package func channelClosed(_ closed: Channel) {
        guard !closing else { return }
        let socket: Socket
        if traffic === closed {
            traffic = nil
            heldBack = nil
            socket = .traffic
        } else if probe === closed {
            probe = nil
            socket = .probe
        } else {
            return
        }
        eventLoop.assumeIsolated().scheduleTask(in: Self.reopenDelay) { [self] in reopen(socket) }
    }

    private func reopen(_ socket: Socket) {
        guard !closing else { return }
        openSocket(socket).assumeIsolated().whenComplete { [self] result in
            do {
                let channel = try result.get()
                guard !closing else {
                    channel.close(promise: nil)
                    return
                }
                try adopt(channel, as: socket)
            } catch {
                failed(error)
                eventLoop.assumeIsolated().scheduleTask(in: Self.reopenDelay) { [self] in reopen(socket) }
            }
        }
    }

    /// Closes the sockets for good (the server is stopping).
    package func close() {
        closing = true
        traffic?.close(promise: nil)
        probe?.close(promise: nil)
    }

    /// What a retired target could not hand over.
    package struct Retired: Sendable {
        /// Datagrams still queued when the deadline passed.
        package var unsent = 0
        /// Informs sent but not acknowledged: nobody would retransmit them after the sockets close.
        package var unacknowledged = 0
    }

    /// Ends this target after a reload replaced it: it gets no new events, sends what it has queued, waits until
    /// those writes have left the sockets, then closes them. Whatever is still queued at `deadline` is dropped
    /// and counted in the result, as are informs that wait for an acknowledgement (they are not retried).
    package func retire(deadline: NIODeadline) -> EventLoopFuture<Retired> {
        let promise = eventLoop.makePromise(of: Retired.self)
        let retired = Retired(unacknowledged: outstanding.count)
        // Dropped now, so that their window does not hold back queued informs until the deadline.
        outstanding.removeAll()
        drainThenClose(deadline: deadline, retired: retired, promise: promise)
        return promise.futureResult
    }

    private func drainThenClose(deadline: NIODeadline, retired: Retired, promise: EventLoopPromise<Retired>) {
        pump()
        if !queue.isEmpty && NIODeadline.now() < deadline {
            // The socket is not writable yet (or being reopened): try again shortly; writability also pumps.
            eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(10)) { [self] in
                drainThenClose(deadline: deadline, retired: retired, promise: promise)
            }
            return
        }
        var retired = retired
        retired.unsent = queue.count
        retired.unacknowledged += outstanding.count
        queue.removeAll()
        outstanding.removeAll()
        let written = [lastTrafficWrite, lastProbeWrite].compactMap { $0 }
        let result = retired
        EventLoopFuture.andAllComplete(written, on: eventLoop).assumeIsolated().whenComplete { [self] _ in
            close()
            promise.succeed(result)
        }
    }

    /// What a target sent, for `RelayLoopGuard`: how, the fingerprint of the message sent, and the request-id it
    /// gave it.
    package struct Sent {
        package let kind: RelayLoopGuard.Kind
        package let fingerprint: Int
        package let assignedRequestID: Int32?
    }

    /// Whether this target relays `event` (its filter).
    package func wants(_ event: borrowing TrapEvent) -> Bool {
        settings.filter.matches(event)
    }

    /// Whether this target's datagrams are informs, which wait for an acknowledgement under their request-id.
    package var sendsInforms: Bool { settings.mode == .inform }

    /// Appends this target's datagram for `event` (the received datagram, or the notification re-encoded with
    /// `requestID`) to `output`; returns what it sends, nil when the event cannot be sent this way.
    package func encode(_ event: borrowing TrapEvent, requestID: Int32, into output: inout OutputBytes) -> Sent? {
        switch settings.mode {
        case .raw:
            output.append(contentsOf: event.datagram)
            return Sent(kind: .raw, fingerprint: event.message.relayFingerprint(withRequestID: true), assignedRequestID: nil)
        case .v2c, .inform, .v3:
            let source = event.source.ip.count == 4 ? IPv4Address(octets: event.source.ip) : nil
            guard
                let relayed = RelayedNotification(
                    event.message, community: community, source: source, requestID: requestID,
                    asInform: settings.mode == .inform,
                    replacingTrapAddress: event.classification.untrustedTrapAddress != nil,
                    trapOID: event.classification.trapOID)
            else { return nil }
            if settings.mode == .v3 {
                guard case .trapV2(let notification) = relayed.message.pdu,
                    let bytes = v3Encoder?.encode(notification, requestID: requestID)
                else { return nil }
                output.append(contentsOf: bytes)
            } else {
                // Written straight from the received varbinds into a writer reused event after event: no message
                // is built and nothing allocated.
                writer.removeAll()
                relayed.encode(into: &writer)
                output.append(contentsOf: writer.bytes)
            }
            // A replaced snmpTrapAddress.0 is a varbind of this server's too (see RelayLoopGuard).
            let replaced = event.classification.untrustedTrapAddress.map { $0 != source } ?? false
            let added = relayed.count != event.message.varbinds.count || event.message.version == .v1 || replaced
            return Sent(kind: added ? .modified : .renumbered, fingerprint: relayed.relayFingerprint, assignedRequestID: requestID)
        }
    }

    /// Queues a datagram made by `encode` (or shared with another target that makes the same one); the oldest
    /// queued is dropped when the queue is full.
    package func enqueue(_ datagram: ByteBuffer, requestID: Int32) {
        let pending: Pending
        if sendsInforms {
            // Kept until acknowledged: a copy of its own, so that it does not pin the batch's shared buffer.
            pending = Pending(requestID: requestID, datagram: ByteBuffer(bytes: datagram.readableBytesView))
        } else {
            pending = Pending(requestID: nil, datagram: datagram)
        }
        if queue.count >= settings.queue {
            queue.removeFirst()
            counters.droppedByQueue += 1
        }
        queue.append(pending)
    }

    /// The re-encoded notification's datagram: SNMPv2c, or SNMPv3 for the upstream user in `v3` mode.
    /// Which targets send identical datagrams for every event: those with the same mode and community, except in
    /// `v3` mode, where every message is encrypted with its own salt.
    package var sharedForm: SharedForm? {
        switch settings.mode {
        case .raw: return SharedForm(mode: .raw, community: [])
        case .v2c, .inform: return SharedForm(mode: settings.mode, community: community)
        case .v3: return nil
        }
    }

    /// See `sharedForm`.
    package struct SharedForm: Hashable {
        let mode: TrapMuxConfiguration.RelayMode
        let community: [UInt8]
    }

    /// Sends what is queued, as far as the socket takes it and (for informs) the window allows.
    package func pump() {
        guard let traffic else { return }
        var first = true
        while traffic.isWritable, let pending = queue.first {
            if let requestID = pending.requestID {
                // At most `queue` informs unacknowledged at once: the window is bounded like the queue.
                guard outstanding.count < settings.queue else { break }
                outstanding[requestID] = Outstanding(
                    datagram: pending.datagram, attempts: 1, deadline: .now() + TimeAmount(settings.timeout))
            }
            queue.removeFirst()
            // Only the first of a burst may take the probe socket: it is sent at once, before the rest.
            if first, let probe, probeIsDue() {
                sendProbe(pending.datagram, on: probe)
            } else {
                send(pending.datagram)
            }
            first = false
            counters.sent += 1
        }
        flush()
    }

    private func probeIsDue() -> Bool {
        let now = NIODeadline.now()
        guard now - lastProbe >= Self.probeInterval else { return false }
        lastProbe = now
        return true
    }

    /// Retransmits informs whose acknowledgement is overdue; gives up after `retries`.
    package func checkTimeouts() {
        let now = NIODeadline.now()
        for (requestID, waiting) in outstanding where waiting.deadline <= now {
            if waiting.attempts > settings.retries {
                outstanding[requestID] = nil
                counters.failed += 1
                continue
            }
            outstanding[requestID]?.attempts += 1
            outstanding[requestID]?.deadline = now + TimeAmount(settings.timeout)
            counters.retransmitted += 1
            send(waiting.datagram)
        }
        pump()
    }

    /// A datagram from the target: an inform's acknowledgement, or ignored.
    package func received(_ datagram: [UInt8]) {
        guard settings.mode == .inform, let requestID = InformResponse.requestID(of: datagram),
            outstanding.removeValue(forKey: requestID) != nil
        else { return }
        counters.acknowledged += 1
        pump()
    }

    /// A send failed (e.g. ICMP port unreachable comes back as ECONNREFUSED): count it, report it now and then.
    package func failed(_ error: Error) {
        // Writes still queued when the server closes the socket fail too; that is no fault of the target.
        guard !closing else { return }
        counters.sendErrors += 1
        guard faultReports.allows() else { return }
        let code = (error as? IOError)?.errnoCode ?? 0
        reportFault(
            ProcessEvent.IOFault(
                code: code, file: "relay \(settings.name) \(settings.target)",
                info: "sending to the relay target failed (\(error)); traps for it are counted as send errors, "
                    + "other targets are not affected; check that the manager listens on \(settings.target)"))
    }

    /// Messages queued or awaiting acknowledgement.
    package var backlog: Int { queue.count + outstanding.count }

    /// Writes the datagram held back before and holds this one back (see `heldBack`); `flush` sends them.
    /// Without a socket (between a close and the new one) the datagram is lost, like any UDP datagram.
    private func send(_ datagram: ByteBuffer) {
        guard let traffic else { return }
        if let previous = heldBack {
            traffic.write(AddressedEnvelope(remoteAddress: address, data: previous), promise: nil)
        }
        heldBack = datagram
    }

    /// Writes the held-back datagram with a promise that reports a failed send, then flushes.
    private func flush() {
        guard let traffic, let last = heldBack else { return }
        heldBack = nil
        let promise = reportingPromise()
        lastTrafficWrite = promise.futureResult
        traffic.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: last), promise: promise)
    }

    /// Sends one datagram through the connected socket, at once.
    private func sendProbe(_ datagram: ByteBuffer, on probe: Channel) {
        let promise = reportingPromise()
        lastProbeWrite = promise.futureResult
        probe.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: datagram), promise: promise)
    }

    private func reportingPromise() -> EventLoopPromise<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenFailure { [self] error in failed(error) }
        return promise
    }
}

// MARK: - Process pair checkpoint (SPEC §14; Pair/RelayCheckpoint.swift)

extension RelayTarget {
    /// What this target holds that a backup must carry on: its queue and its informs awaiting acknowledgement.
    package var checkpoint: RelayCheckpoint.Target {
        RelayCheckpoint.Target(
            name: settings.name,
            queued: queue.map { .init(requestID: $0.requestID, datagram: Array($0.datagram.readableBytesView)) },
            outstanding: outstanding.map {
                .init(requestID: $0.key, attempts: $0.value.attempts, datagram: Array($0.value.datagram.readableBytesView))
            })
    }

    /// Takes over a former primary's part: its queue goes first, and its unacknowledged informs are sent again now
    /// with their request-ids, so the manager's acknowledgement reaches this process.
    package func restore(_ part: RelayCheckpoint.Target) {
        for queued in part.queued.reversed() {
            queue.prepend(Pending(requestID: queued.requestID, datagram: ByteBuffer(bytes: queued.datagram)))
        }
        for inform in part.outstanding {
            outstanding[inform.requestID] = Outstanding(
                datagram: ByteBuffer(bytes: inform.datagram), attempts: inform.attempts, deadline: .now())
        }
        checkTimeouts()
    }

    /// Whether nothing is queued (informs awaiting acknowledgement aside).
    package var queueIsEmpty: Bool { queue.isEmpty }
}
