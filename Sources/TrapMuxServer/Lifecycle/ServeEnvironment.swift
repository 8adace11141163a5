import TrapDecoder
import TrapEvents

/// What `serve` takes from its process environment rather than from its configuration file: the build's version,
/// systemd's notification socket and watchdog, and the test-only loop stall.
package struct ServeEnvironment: Sendable {
    /// The build's version (`trapmux --version`), for `trapmux_build_info`.
    package var version: String
    /// `$NOTIFY_SOCKET`: set by systemd for a `Type=notify` service.
    package var notifier: SystemdNotifier?
    /// Half of `$WATCHDOG_USEC`: how often systemd wants `WATCHDOG=1`; nil without `WatchdogSec=`.
    package var systemdWatchdogInterval: Duration?
    /// `$TRAPMUX_TEST_LOOP_STALL=1`: SIGUSR2 stalls the receive loop (`LoopStallTrigger`), for tests only.
    package var loopStallSignal = false

    /// A plain environment: no systemd, no test hooks.
    package init(version: String) {
        self.version = version
    }

    /// The environment of a process started with `variables` (`ProcessInfo.processInfo.environment`).
    package init(version: String, variables: [String: String]) {
        self.version = version
        notifier = SystemdNotifier.fromEnvironment(variables)
        systemdWatchdogInterval = notifier == nil ? nil : SystemdNotifier.watchdogInterval(variables)
        loopStallSignal = variables[LoopStallTrigger.environmentVariable] == "1"
    }
}
