import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import TrapDecoder
import TrapEvents

/// Test-only: SIGUSR2 blocks the receive loop for an hour, so that tests can prove the loop watchdog (101
/// Loop-timer-timeout, exit 1, no more `WATCHDOG=1`). `serve` runs it only when `$TRAPMUX_TEST_LOOP_STALL` is `1`;
/// otherwise SIGUSR2 keeps its default action.
package struct LoopStallTrigger: Service {
    /// The environment variable that enables it.
    package static let environmentVariable = "TRAPMUX_TEST_LOOP_STALL"

    package let eventLoop: EventLoop
    /// SIGUSR2, trapped before the server reports that it started.
    package let signals: UnixSignalsSequence
    package let logger: Logger

    package init(eventLoop: EventLoop, signals: UnixSignalsSequence, logger: Logger) {
        self.eventLoop = eventLoop
        self.signals = signals
        self.logger = logger
    }

    package func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.warning("test only (\(Self.environmentVariable)): SIGUSR2 stalls the event loop now")
            eventLoop.execute {
                Thread.sleep(forTimeInterval: 3600)
            }
        }
    }
}
