import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

extension FanOutHub {
    /// The counters as the `stats` answer's JSON line, with the kernel's figures read (off the loop) before.
    package func statsLine(kernel: KernelUDPCounters) -> [UInt8] {
        SubscriberProtocol.line { writer in
            writer.key("stats")
            writer.beginObject()
            writer.field("name", processName)
            writer.field("uptime_seconds", (NIODeadline.now() - startedAt).nanoseconds / 1_000_000_000)
            writer.field("last_seq", lastSeq)
            writer.field("datagrams", counters.datagrams)
            writer.key("traps")
            writer.beginObject()
            writer.field("1", counters.v1Traps)
            writer.field("2c", counters.v2cTraps)
            writer.field("3", counters.v3Traps)
            writer.endObject()
            writer.key("by_generic")
            writer.beginObject()
            for generic in GenericTrap.allCases {
                writer.key(named: generic.name)
                writer.number(counters.trapsByGeneric[Int(generic.rawValue)])
            }
            writer.endObject()
            writer.field("informs_answered", counters.informsAnswered)
            writer.key("decode_errors")
            writer.beginObject()
            for kind in TrapDecodingError.Kind.allCases {
                writer.key(named: kind.rawValue)
                writer.number(counters.decodeErrors[kind] ?? 0)
            }
            writer.endObject()
            writer.field("community_rejected", counters.communityRejected)
            writer.key("usm")
            writer.beginObject()
            for kind in USMError.Kind.allCases {
                writer.key(named: kind.rawValue)
                writer.number(v3?.counters[kind] ?? 0)
            }
            writer.field("reports_sent", v3?.reportsSent ?? 0)
            writer.endObject()
            writer.field("queue_dropped", counters.queueDropped)
            writer.field("memory_shed", counters.memoryShed)
            writer.field("overflow_disconnects", counters.overflowDisconnects)
            writer.field("queued_bytes", queuedBytes)
            writer.field("answer_bytes", answerBytes)
            writer.field("connections_refused", counters.connectionsRefused)
            writer.field("connections_idle_closed", counters.connectionsIdleClosed)
            writer.field("memory_budget_bytes", settings.memoryBudgetBytes)
            if let drops = kernel.ownSocketDrops {
                writer.field("kernel_receive_drops", drops)
            }
            if let errors = kernel.hostReceiveBufferErrors {
                writer.field("host_udp_rcvbuf_errors", errors)
            }
            writer.field("rate_limited", counters.rateLimited)
            writer.field("relay_loops_dropped", counters.relayLoops)
            writer.key("relays")
            writer.beginArray()
            for target in relays?.targets ?? [] {
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
            writer.key("subscribers")
            writer.beginArray()
            for subscriber in subscribers {
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
            writer.endObject()
        }
    }
}
