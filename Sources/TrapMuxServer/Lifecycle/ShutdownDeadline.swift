import NIOConcurrencyHelpers
import TrapDecoder
import TrapEvents

/// When the queues must have drained at shutdown: `drain_timeout` after SIGTERM arrived, however long the
/// services stopped before the subscriber socket (a reload still retiring relay targets, the listeners) took.
///
/// The service group tells its services to stop one after the other, in reverse order, so the subscriber
/// server learns of the shutdown last; the first service to learn of it starts the clock here.
package final class ShutdownDeadline: Sendable {
    private let started = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    package let drainTimeout: Duration

    /// A deadline `drainTimeout` after the shutdown starts.
    package init(drainTimeout: Duration) {
        self.drainTimeout = drainTimeout
    }

    /// The shutdown has started (the first call counts).
    package func start() {
        started.withLockedValue { instant in
            if instant == nil { instant = .now }
        }
    }

    /// When draining must end: `drainTimeout` after the shutdown started, or from now if nobody marked it.
    package var instant: ContinuousClock.Instant {
        (started.withLockedValue { $0 } ?? .now).advanced(by: drainTimeout)
    }
}
