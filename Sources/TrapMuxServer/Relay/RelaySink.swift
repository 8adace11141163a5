import NIOCore
import TrapDecoder
import TrapEvents

/// The relays as one sink: the current set of targets (a reload swaps it), and the guard that recognises a relayed
/// trap coming back (`RelayLoopGuard`), which outlives the swaps. Confined to the router's event loop.
package final class RelaySink: EventSink {
    /// The targets; nil when none are configured.
    package private(set) var dispatcher: RelayDispatcher?
    private var loopGuard = RelayLoopGuard()
    /// Traps this server had relayed that came back through another receiver (not delivered, not relayed again).
    package private(set) var loopsDropped: UInt64 = 0

    package init(dispatcher: RelayDispatcher? = nil) {
        self.dispatcher = dispatcher
    }

    /// Puts `replacement` in place of the current targets, which get nothing more; returns them (to be retired).
    package func replace(with replacement: RelayDispatcher?) -> RelayDispatcher? {
        let previous = dispatcher
        // What the previous targets were handed in this loop turn goes out before they stop getting events.
        previous?.flush()
        dispatcher = replacement
        return previous
    }

    /// Whether a received notification is one this server relayed, coming back through another receiver; counted.
    package func cameBack(_ message: TrapMessage, from source: SourceAddress) -> Bool {
        guard !loopGuard.isEmpty, loopGuard.isLoop(message, from: source, now: .now()) else { return false }
        loopsDropped += 1
        return true
    }

    package func accept(_ routed: inout RoutedTrap) {
        guard let dispatcher else { return }
        let event = routed.event
        var now: NIODeadline?
        dispatcher.forward(event) { sent in
            let time = now ?? NIODeadline.now()
            now = time
            loopGuard.record(sent.kind, fingerprint: sent.fingerprint, from: event.source, assignedRequestID: sent.assignedRequestID, now: time)
        }
    }

    package func accept(_ routed: inout RoutedProcessEvent) {}

    package func flush() {
        dispatcher?.flush()
    }

    /// Closes the targets' sockets (at shutdown).
    package func close() {
        dispatcher?.close()
    }
}
