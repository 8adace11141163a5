#if canImport(Glibc)
import Glibc
#endif

/// The wall clock, for event timestamps (`received_at`, `at`).
enum WallClock {
    /// Microseconds since the Unix epoch.
    static func microseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}

/// A monotonic clock in whole seconds, for snmpEngineTime and the USM time windows (never steps with the wall clock).
enum MonotonicSeconds {
    /// Seconds since an arbitrary point (boot).
    static func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec)
    }
}
