import Foundation
import NIOConcurrencyHelpers
import NIOCore
import TrapDecoder
import TrapEvents

/// A thread of its own, outside every event loop, that checks that the receive loop's heartbeat keeps coming: when
/// the last beat is older than `limit`, it calls `onStall` once and stops.
///
/// A thread, not a task or a timer on some loop: whatever stalls the receive loop (a blocking call, a livelock, a
/// starved executor) may stall those too, and the one who notices must not depend on them.
package final class StallMonitor: Sendable {
    /// When the receive loop last beat (CLOCK_MONOTONIC, which does not advance while the host is suspended).
    private let heartbeat = NIOLockedValueBox(NIODeadline.now())
    private let stopped = NIOLockedValueBox(false)
    package let limit: TimeAmount
    /// How often the heartbeat is checked, and how often the loop should beat.
    package let interval: TimeAmount

    /// A monitor that calls a stall one beat older than `limit`.
    package init(limit: Duration) {
        self.limit = TimeAmount(limit)
        // Four checks per limit, at most one a second, at least every 10 ms.
        self.interval = max(.milliseconds(10), min(.seconds(1), .nanoseconds(TimeAmount(limit).nanoseconds / 4)))
    }

    /// Records a beat; called by the receive loop itself.
    package func beat() {
        heartbeat.withLockedValue { $0 = .now() }
    }

    /// Starts the checking thread; `onStall` gets how long the loop has been silent.
    package func start(onStall: @escaping @Sendable (TimeAmount) -> Void) {
        beat()
        Thread.detachNewThread { [self] in
            var lastCheck = NIODeadline.now()
            while !stopped.withLockedValue({ $0 }) {
                Thread.sleep(forTimeInterval: Double(interval.nanoseconds) / 1e9)
                let now = NIODeadline.now()
                let silence = now - heartbeat.withLockedValue { $0 }
                // A check that itself ran late (the whole process stopped by SIGSTOP, or starved) proves nothing
                // about the loop: the loop was held up just as long. Judge on the next check that runs on time.
                let onTime = now - lastCheck < interval * 2
                lastCheck = now
                if onTime && silence > limit && !stopped.withLockedValue({ $0 }) {
                    onStall(silence)
                    return
                }
            }
        }
    }

    /// Stops the checking thread (at its next check).
    package func stop() {
        stopped.withLockedValue { $0 = true }
    }
}
