import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// A token bucket per source address, so one device's trap storm cannot drown the rest (`[rate_limit]`).
///
/// Limited traps are counted per source and summarised once a minute in one log line, not one line each.
package struct SourceRateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: NIODeadline
    }

    package let rate: Double
    package let burst: Double
    private var buckets: [[UInt8]: Bucket] = [:]
    private var limited: [[UInt8]: UInt64] = [:]
    private var summaries = ReportThrottle<Bool>(interval: .minutes(1))
    /// Sources remembered at most; beyond it idle buckets (full again) are forgotten.
    private let capacity = 65_536

    package init(_ settings: TrapMuxConfiguration.RateLimitSettings) {
        rate = Double(settings.rate)
        burst = Double(settings.burst)
    }

    /// Whether a trap from `source` may pass now.
    package mutating func admit(_ source: [UInt8], now: NIODeadline) -> Bool {
        var bucket = buckets[source] ?? Bucket(tokens: burst, updated: now)
        let elapsed = Double((now - bucket.updated).nanoseconds) / 1e9
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.updated = now
        let admitted = bucket.tokens >= 1
        if admitted { bucket.tokens -= 1 } else { limited[source, default: 0] += 1 }
        if buckets.count >= capacity && buckets[source] == nil {
            let idle = Double(burst) / rate
            buckets = buckets.filter { Double((now - $0.value.updated).nanoseconds) / 1e9 < idle }
        }
        buckets[source] = bucket
        return admitted
    }

    /// Logs what was limited since the last summary, at most once a minute.
    package mutating func summarise(now: NIODeadline, logger: Logger) {
        guard !limited.isEmpty, summaries.allows(now: now) else { return }
        let total = limited.values.reduce(0, +)
        let top = limited.sorted { $0.value > $1.value }.prefix(5).map { entry in
            "\(SourceAddress(ip: entry.key, port: 0).ipText)=\(entry.value)"
        }
        logger.warning(
            "traps over the per-source rate limit were not delivered or relayed",
            metadata: ["rate_limit.traps": "\(total)", "rate_limit.sources": "\(limited.count)",
                       "rate_limit.top": "\(top.joined(separator: " "))"])
        limited.removeAll(keepingCapacity: true)
    }
}
