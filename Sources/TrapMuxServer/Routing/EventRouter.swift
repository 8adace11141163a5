import NIOCore
import TrapDecoder
import TrapEvents

/// The one path of every event: the listener hands it here, the router numbers it and offers it to every sink
/// (subscribers, relays), rendering each format at most once, and flushes the sinks once per receive batch.
///
/// Confined to one event loop (the listeners' and the subscriber socket's), so no locks are taken per event.
package final class EventRouter {
    package let eventLoop: EventLoop
    package let renderer: EventRenderer
    private var sinks: [any EventSink] = []
    /// Where each event's lines are rendered, reused from event to event.
    private let arena = LineArena()
    /// The last sequence number given; trap and process events share one sequence.
    package private(set) var lastSeq: UInt64 = 0

    package init(eventLoop: EventLoop, renderer: EventRenderer) {
        self.eventLoop = eventLoop
        self.renderer = renderer
    }

    /// Adds a sink; events go to the sinks in the order they were added.
    package func add(_ sink: any EventSink) {
        sinks.append(sink)
    }

    /// Continues another process's sequence (a pair's backup taking over): the next event gets at least `seq + 1`.
    package func continueSequence(after seq: UInt64) {
        lastSeq = max(lastSeq, seq)
    }

    /// The next sequence number.
    package func nextSeq() -> UInt64 {
        lastSeq += 1
        return lastSeq
    }

    /// Offers a trap event (numbered with `nextSeq()`) to every sink.
    package func route(_ event: consuming TrapEvent) {
        // Moved, not copied: a copy retains every view of the datagram the event holds.
        var routed = RoutedTrap(event, renderer: renderer, arena: arena)
        for sink in sinks {
            sink.accept(&routed)
        }
    }

    /// Numbers a process event, offers it to every sink and flushes: process events are rare and should not wait
    /// for the next receive batch.
    package func route(_ event: ProcessEvent, at microseconds: Int64) {
        var routed = RoutedProcessEvent(event, seq: nextSeq(), at: microseconds, renderer: renderer)
        for sink in sinks {
            sink.accept(&routed)
        }
        flush()
    }

    /// Sends what the batch gathered; called once per receive batch.
    package func flush() {
        for sink in sinks {
            sink.flush()
        }
    }
}
