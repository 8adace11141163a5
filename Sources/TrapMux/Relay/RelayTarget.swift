import Logging
import NIOCore
import TrapDecoder

/// One upstream manager: its filter, its own bounded queue and UDP socket, and for informs the datagrams
/// waiting for an acknowledgement. Confined to the hub's event loop; the listener never waits for it.
final class RelayTarget {
    /// Counters shown by `trapmux stats`.
    struct Counters {
        var sent: UInt64 = 0
        var acknowledged: UInt64 = 0
        var retransmitted: UInt64 = 0
        var failed: UInt64 = 0
        var droppedByQueue: UInt64 = 0
        var sendErrors: UInt64 = 0
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

    let settings: TrapMuxConfiguration.RelaySettings
    let address: SocketAddress
    let channel: Channel
    private let community: [UInt8]
    private var queue = CircularBuffer<Pending>()
    private var outstanding: [Int32: Outstanding] = [:]
    private var nextRequestID: Int32 = 1
    private var needsFlush = false
    private var lastFaultReport: NIODeadline?
    var counters = Counters()
    /// Reports an I/O fault (event 103); rate-limited here to one a minute.
    let reportFault: (ProcessEvent.IOFault) -> Void

    init(
        settings: TrapMuxConfiguration.RelaySettings, address: SocketAddress, channel: Channel,
        reportFault: @escaping (ProcessEvent.IOFault) -> Void
    ) {
        self.settings = settings
        self.address = address
        self.channel = channel
        self.community = Array(settings.community.utf8)
        self.reportFault = reportFault
        self.nextRequestID = Int32.random(in: 1...0x00FF_FFFF)
    }

    /// Queues the event for this target if its filter matches.
    func offer(_ event: TrapEvent) {
        guard settings.filter.matches(event) else { return }
        let pending: Pending
        switch settings.mode {
        case .raw:
            pending = Pending(requestID: nil, datagram: ByteBuffer(bytes: event.datagram))
        case .v2c, .inform:
            let source = event.source.ip.count == 4 ? IPv4Address(octets: event.source.ip) : nil
            let requestID = nextRequestID
            nextRequestID = nextRequestID == Int32.max ? 1 : nextRequestID + 1
            guard
                let message = event.message.relayed(
                    community: community, source: source, requestID: requestID, asInform: settings.mode == .inform),
                let bytes = message.encoded()
            else { return }
            pending = Pending(requestID: settings.mode == .inform ? requestID : nil, datagram: ByteBuffer(bytes: bytes))
        }
        if queue.count >= settings.queue {
            queue.removeFirst()
            counters.droppedByQueue += 1
        }
        queue.append(pending)
    }

    /// Sends what is queued, as far as the socket takes it and (for informs) the window allows.
    func pump() {
        while channel.isWritable, let pending = queue.first {
            if let requestID = pending.requestID {
                // At most `queue` informs unacknowledged at once: the window is bounded like the queue.
                guard outstanding.count < settings.queue else { break }
                outstanding[requestID] = Outstanding(
                    datagram: pending.datagram, attempts: 1, deadline: .now() + TimeAmount(settings.timeout))
            }
            queue.removeFirst()
            send(pending.datagram)
            counters.sent += 1
        }
        if needsFlush {
            needsFlush = false
            channel.flush()
        }
    }

    /// Retransmits informs whose acknowledgement is overdue; gives up after `retries`.
    func checkTimeouts() {
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
    func received(_ datagram: [UInt8]) {
        guard settings.mode == .inform, let requestID = InformResponse.requestID(of: datagram),
            outstanding.removeValue(forKey: requestID) != nil
        else { return }
        counters.acknowledged += 1
        pump()
    }

    /// A send failed (e.g. ICMP port unreachable comes back as ECONNREFUSED): count it, report it now and then.
    func failed(_ error: Error) {
        counters.sendErrors += 1
        let now = NIODeadline.now()
        if let last = lastFaultReport, now - last < .minutes(1) { return }
        lastFaultReport = now
        let code = (error as? IOError)?.errnoCode ?? 0
        reportFault(
            ProcessEvent.IOFault(
                code: code, file: "relay \(settings.name) \(settings.target)",
                info: "sending to the relay target failed (\(error)); traps for it are counted as send errors, "
                    + "other targets are not affected; check that the manager listens on \(settings.target)"))
    }

    /// Messages queued or awaiting acknowledgement.
    var backlog: Int { queue.count + outstanding.count }

    private func send(_ datagram: ByteBuffer) {
        channel.write(AddressedEnvelope(remoteAddress: address, data: datagram), promise: nil)
        needsFlush = true
    }
}
