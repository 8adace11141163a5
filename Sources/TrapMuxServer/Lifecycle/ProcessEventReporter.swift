import Logging
import NIOConcurrencyHelpers
import NIOCore
import TrapDecoder
import TrapEvents

/// Announces process events 101–106: one log line on stderr each, and the event to every subscriber that
/// asked for process events.
package final class ProcessEventReporter: Sendable {
    private let logger: Logger
    private let processName: String
    private let router: NIOLoopBound<EventRouter>
    /// How many of each event were announced, by number: the metrics' `trapmux_process_events_total`.
    private let counts = NIOLockedValueBox<[Int: UInt64]>([:])

    package init(logger: Logger, processName: String, router: NIOLoopBound<EventRouter>) {
        self.logger = logger
        self.processName = processName
        self.router = router
    }

    /// Logs the event and publishes it; the future completes once it is handed to the subscribers.
    @discardableResult
    package func report(_ event: ProcessEvent) -> EventLoopFuture<Void> {
        log(event)
        let router = self.router
        let at = WallClock.microseconds()
        return router.eventLoop.submit {
            router.value.route(event, at: at)
        }
    }

    /// How many of each process event (by number, 101–106) were announced since start.
    package var announced: [Int: UInt64] {
        counts.withLockedValue { $0 }
    }

    /// Logs the event without publishing it (used on the loop itself, followed by a direct publish). Every event
    /// passes here, so here it is counted.
    package func log(_ event: ProcessEvent) {
        counts.withLockedValue { $0[event.number, default: 0] += 1 }
        let text = event.text(name: processName)
        switch event {
        case .terminated, .started, .startedAsBackup, .takeover:
            logger.notice("\(text)", metadata: ["event": "\(event.number)"])
        case .memoryFull(let shed, let queued, let budget):
            logger.warning(
                "\(text)", metadata: ["event": "104", "shed": "\(shed)", "queued_bytes": "\(queued)", "budget_bytes": "\(budget)"])
        case .ioError, .internalError:
            logger.error("\(text)", metadata: ["event": "\(event.number)"])
        }
    }
}
