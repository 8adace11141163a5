import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// The `stats` answer (SPEC §6): every part of the server's counters, read from whoever counts them. Confined to
/// the router's event loop; the kernel's figures are read off the loop and passed in.
package final class StatsReport {
    private let processName: String
    private let router: EventRouter
    private let receive: ReceiveStatistics
    private let subscribers: SubscriberSink
    private let connections: ConnectionAdmission
    private let relays: RelaySink
    private let v3: SNMPv3Receiver
    /// The UDP ports listened on, for the kernel's drop counters of those sockets.
    package let listenPorts: Set<Int>
    private let startedAt = NIODeadline.now()
    /// The process pair's state, when this process is one of a pair (SPEC §14).
    package var pair: PairLink?

    package init(
        processName: String, listenPorts: Set<Int>, router: EventRouter, receive: ReceiveStatistics,
        subscribers: SubscriberSink, connections: ConnectionAdmission, relays: RelaySink, v3: SNMPv3Receiver
    ) {
        self.processName = processName
        self.listenPorts = listenPorts
        self.router = router
        self.receive = receive
        self.subscribers = subscribers
        self.connections = connections
        self.relays = relays
        self.v3 = v3
    }

    /// The answer's JSON line.
    package func line(kernel: KernelUDPCounters) -> [UInt8] {
        SubscriberProtocol.line { writer in
            writer.key("stats")
            writer.beginObject()
            writer.field("name", processName)
            writer.field("uptime_seconds", (NIODeadline.now() - startedAt).nanoseconds / 1_000_000_000)
            writer.field("last_seq", router.lastSeq)
            writeReceive(into: &writer)
            writeUSM(into: &writer)
            writer.field("queue_dropped", subscribers.counters.queueDropped)
            writer.field("memory_shed", subscribers.counters.memoryShed)
            writer.field("overflow_disconnects", subscribers.counters.overflowDisconnects)
            writer.field("queued_bytes", subscribers.queuedBytes)
            writer.field("answer_bytes", subscribers.answerBytes)
            writer.field("connections_refused", connections.counters.refused)
            writer.field("connections_idle_closed", connections.counters.idleClosed)
            writer.field("memory_budget_bytes", subscribers.limits.memoryBudgetBytes)
            if let drops = kernel.ownSocketDrops {
                writer.field("kernel_receive_drops", drops)
            }
            if let errors = kernel.hostReceiveBufferErrors {
                writer.field("host_udp_rcvbuf_errors", errors)
            }
            writer.field("rate_limited", receive.rateLimited)
            writer.field("relay_loops_dropped", relays.loopsDropped)
            writeRelays(into: &writer)
            writeSubscribers(into: &writer)
            pair?.writeStatus(into: &writer)
            writer.endObject()
        }
    }

    private func writeReceive(into writer: inout JSONWriter) {
        writer.field("datagrams", receive.datagrams)
        writer.key("traps")
        writer.beginObject()
        writer.field("1", receive.v1Traps)
        writer.field("2c", receive.v2cTraps)
        writer.field("3", receive.v3Traps)
        writer.endObject()
        writer.key("by_generic")
        writer.beginObject()
        for generic in GenericTrap.allCases {
            writer.key(named: generic.name)
            writer.number(receive.trapsByGeneric[Int(generic.rawValue)])
        }
        writer.endObject()
        writer.field("informs_answered", receive.informsAnswered)
        writer.key("decode_errors")
        writer.beginObject()
        for kind in TrapDecodingError.Kind.allCases {
            writer.key(named: kind.rawValue)
            writer.number(receive.decodeErrors[kind] ?? 0)
        }
        writer.endObject()
        writer.field("community_rejected", receive.communityRejected)
    }

    private func writeUSM(into writer: inout JSONWriter) {
        writer.key("usm")
        writer.beginObject()
        for kind in USMError.Kind.allCases {
            writer.key(named: kind.rawValue)
            writer.number(v3.counters[kind] ?? 0)
        }
        writer.field("reports_sent", v3.reportsSent)
        writer.endObject()
    }

    private func writeRelays(into writer: inout JSONWriter) {
        writer.key("relays")
        writer.beginArray()
        for target in relays.dispatcher?.targets ?? [] {
            writer.beginObject()
            writer.field("name", target.settings.name)
            writer.field("target", target.settings.target)
            writer.field("mode", target.settings.mode.rawValue)
            writer.field("sent", target.counters.sent)
            writer.field("acknowledged", target.counters.acknowledged)
            writer.field("retransmitted", target.counters.retransmitted)
            writer.field("failed", target.counters.failed)
            writer.field("dropped_by_queue", target.counters.droppedByQueue)
            writer.field("send_errors", target.counters.sendErrors)
            writer.field("backlog", target.backlog)
            writer.endObject()
        }
        writer.endArray()
    }

    private func writeSubscribers(into writer: inout JSONWriter) {
        writer.key("subscribers")
        writer.beginArray()
        for subscriber in subscribers.subscribers {
            writer.beginObject()
            writer.field("id", subscriber.id)
            writer.field("name", subscriber.subscription.name)
            writer.field("format", subscriber.subscription.format.rawValue)
            writer.field("delivered", subscriber.delivered)
            writer.field("dropped", subscriber.queue.droppedTotal)
            writer.field("queue_depth", subscriber.queue.count)
            writer.field("queue_capacity", subscriber.queue.capacity)
            writer.endObject()
        }
        writer.endArray()
    }
}
