import TrapDecoder
import TrapEvents

/// Waits until every part that must be ready before traps can flow is ready, then runs the started action
/// (event 102) exactly once.
package actor StartupGate {
    /// The parts that must be ready.
    package enum Part: Hashable, Sendable {
        case listeners
        case subscriberSocket
    }

    private var waiting: Set<Part>
    private let onReady: @Sendable () -> Void

    package init(parts: Set<Part>, onReady: @escaping @Sendable () -> Void) {
        self.waiting = parts
        self.onReady = onReady
    }

    /// Marks a part ready.
    package func ready(_ part: Part) {
        guard waiting.remove(part) != nil, waiting.isEmpty else { return }
        onReady()
    }
}
