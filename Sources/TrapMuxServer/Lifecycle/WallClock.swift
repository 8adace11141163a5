#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// The wall clock, for event timestamps (`received_at`, `at`).
package enum WallClock {
    /// Microseconds since the Unix epoch.
    package static func microseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}

/// A monotonic clock in whole seconds, for snmpEngineTime and the USM time windows (never steps with the wall clock).
package enum MonotonicSeconds {
    /// Seconds since an arbitrary point (boot).
    package static func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec)
    }
}
