import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TrapDecoder
import TrapEvents
#if canImport(Glibc)
import Glibc
#endif

/// Proves that the receive loop keeps running, from the loop itself (SPEC §5, Loop-timer-timeout): a repeated task on
/// the loop beats for the `StallMonitor` thread, which ends the process when the beats stop for longer than the
/// configured `watchdog`, and, under systemd with `WatchdogSec=`, sends `WATCHDOG=1` at half of `$WATCHDOG_USEC`, so
/// that a stalled loop also stops systemd's pings.
package struct LoopWatchdog: Service {
    package let eventLoop: EventLoop
    /// The stall limit (`watchdog`); zero: no monitor thread.
    package let limit: Duration
    package let notifier: SystemdNotifier?
    /// Half of `$WATCHDOG_USEC`; nil: systemd's watchdog is off.
    package let systemdInterval: Duration?
    package let reporter: ProcessEventReporter
    package let logger: Logger

    package init(
        eventLoop: EventLoop, limit: Duration, notifier: SystemdNotifier?, systemdInterval: Duration?,
        reporter: ProcessEventReporter, logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.limit = limit
        self.notifier = notifier
        self.systemdInterval = systemdInterval
        self.reporter = reporter
        self.logger = logger
    }

    package func run() async throws {
        var tasks: [RepeatedTask] = []
        let monitor = limit > .zero ? StallMonitor(limit: limit) : nil
        if let monitor {
            tasks.append(eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: monitor.interval) { _ in monitor.beat() })
            monitor.start { [self] silence in stalled(for: silence) }
        }
        if let notifier, let systemdInterval {
            tasks.append(
                eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: TimeAmount(systemdInterval)) { _ in
                    notifier.watchdog()
                })
        }
        logger.debug(
            "loop watchdog", metadata: ["watchdog.limit": "\(limit)", "watchdog.systemd": "\(systemdInterval.map { "\($0)" } ?? "off")"])
        // Stopped last of all services, so that a loop stalling while the queues drain is still caught.
        try? await gracefulShutdown()
        monitor?.stop()
        for task in tasks { task.cancel() }
    }

    /// The loop has stalled: 101 Loop-timer-timeout, then exit 1 at once, so that a supervisor starts trapmux again.
    ///
    /// Nothing that runs on the loop can stop the process in order now, and the log write itself may be what hangs
    /// (a full stderr pipe): so the reports get two seconds on a thread of their own, and `_exit` does not wait for
    /// anything else (no atexit handlers, no other thread).
    private func stalled(for silence: TimeAmount) {
        let seconds = Double(silence.nanoseconds) / 1e9
        let done = DispatchSemaphore(value: 0)
        let (logger, reporter, notifier, limit) = (self.logger, self.reporter, self.notifier, self.limit)
        Thread.detachNewThread {
            notifier?.status("event loop stalled for \(String(format: "%.1f", seconds)) s; exiting (101 Loop-timer-timeout)")
            logger.critical(
                "the event loop has not run for longer than the watchdog allows; exiting so that a supervisor restarts trapmux",
                metadata: ["watchdog.limit": "\(limit)", "watchdog.silence_seconds": "\(String(format: "%.1f", seconds))"])
            reporter.log(.terminated(.loopTimerTimeout))
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
        _exit(1)
    }
}
