import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// Every figure a scrape exports, copied in one step on the event loop that owns the counters (SPEC §11): the
/// receive path keeps counting as it does for `stats`, and pays nothing for metrics until someone scrapes.
package struct MetricsSnapshot: Sendable {
    /// The counters' owners, confined to the router's event loop.
    package struct Sources {
        package let receive: ReceiveStatistics
        package let subscribers: SubscriberSink
        package let connections: ConnectionAdmission
        package let relays: RelaySink
        package let v3: SNMPv3Receiver
        /// The pair's link, when this process is one of a pair.
        package let link: PairLink?

        package init(
            receive: ReceiveStatistics, subscribers: SubscriberSink, connections: ConnectionAdmission,
            relays: RelaySink, v3: SNMPv3Receiver, link: PairLink? = nil
        ) {
            self.link = link
            self.receive = receive
            self.subscribers = subscribers
            self.connections = connections
            self.relays = relays
            self.v3 = v3
        }
    }

    /// One subscriber connection, identified by its id (unique for the life of the process).
    package struct SubscriberRow: Sendable {
        package var id: Int
        package var name: String
        package var delivered: UInt64
        package var dropped: UInt64
        package var queueDepth: Int
    }

    /// One relay target; `identity` tells a target from its replacement after a reload.
    package struct RelayRow: Sendable {
        package var identity: ObjectIdentifier
        package var name: String
        package var counters: RelayTarget.Counters
        package var backlog: Int
    }

    package var datagrams: UInt64 = 0
    /// Accepted notifications by version: "1", "2c", "3".
    package var trapsByVersion: [(String, UInt64)] = []
    /// Accepted notifications by generic trap 0–6.
    package var trapsByGeneric: [UInt64] = []
    package var informsAnswered: UInt64 = 0
    package var decodeErrors: [TrapDecodingError.Kind: UInt64] = [:]
    package var snmpv3Errors: [USMError.Kind: UInt64] = [:]
    package var reportsSent: UInt64 = 0
    package var communityRejected: UInt64 = 0
    package var rateLimited: UInt64 = 0
    package var relayLoopsDropped: UInt64 = 0
    package var sink = SubscriberSink.Counters()
    package var queuedBytes = 0
    package var memoryBudgetBytes = 0
    package var connections = ConnectionAdmission.Counters()
    package var subscribers: [SubscriberRow] = []
    package var relays: [RelayRow] = []
    /// Whether this process is the one that receives (a single server always is; a pair's backup is not).
    package var isPrimary = true
    /// Read off the loop (/proc), after the copy.
    package var kernel = KernelUDPCounters()
    /// From the process event reporter, which counts under its own lock.
    package var processEvents: [Int: UInt64] = [:]

    /// An empty snapshot (every counter 0).
    package init() {}

    /// Copies the counters; call on `sources`' event loop.
    package init(reading sources: Sources) {
        let receive = sources.receive
        datagrams = receive.datagrams
        trapsByVersion = [("1", receive.v1Traps), ("2c", receive.v2cTraps), ("3", receive.v3Traps)]
        trapsByGeneric = receive.trapsByGeneric
        informsAnswered = receive.informsAnswered
        decodeErrors = receive.decodeErrors
        communityRejected = receive.communityRejected
        rateLimited = receive.rateLimited
        snmpv3Errors = sources.v3.counters.mapValues(UInt64.init)
        reportsSent = sources.v3.reportsSent
        relayLoopsDropped = sources.relays.loopsDropped
        isPrimary = sources.link?.state.isPrimary ?? true
        sink = sources.subscribers.counters
        queuedBytes = sources.subscribers.queuedBytes
        memoryBudgetBytes = sources.subscribers.limits.memoryBudgetBytes
        connections = sources.connections.counters
        subscribers = sources.subscribers.subscribers.map { subscriber in
            SubscriberRow(
                id: subscriber.id, name: subscriber.subscription.name, delivered: subscriber.delivered,
                dropped: subscriber.queue.droppedTotal, queueDepth: subscriber.queue.count)
        }
        relays = (sources.relays.dispatcher?.targets ?? []).map { target in
            RelayRow(
                identity: ObjectIdentifier(target), name: target.settings.name, counters: target.counters,
                backlog: target.backlog)
        }
    }
}
