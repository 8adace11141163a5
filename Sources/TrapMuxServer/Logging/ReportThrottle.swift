import NIOCore
import TrapDecoder
import TrapEvents

/// Lets a report about the same thing through at most once per interval, so that a sender, a subscriber or a
/// target that keeps failing cannot flood the log; whoever reports still counts every occurrence.
///
/// Keys are bounded: beyond `capacity`, expired keys are forgotten, and if all are recent, all are.
package struct ReportThrottle<Key: Hashable> {
    package let interval: TimeAmount
    package let capacity: Int
    private var lastReported: [Key: NIODeadline] = [:]

    /// A throttle that allows one report per key per `interval`, remembering at most `capacity` keys.
    package init(interval: TimeAmount, capacity: Int = 4096) {
        self.interval = interval
        self.capacity = capacity
    }

    /// Whether a report about `key` may go out now; if so, the interval starts again.
    package mutating func allows(_ key: Key, now: NIODeadline = .now()) -> Bool {
        if let last = lastReported[key], now - last < interval {
            return false
        }
        if lastReported.count >= capacity {
            lastReported = lastReported.filter { now - $0.value < interval }
            if lastReported.count >= capacity { lastReported.removeAll(keepingCapacity: true) }
        }
        lastReported[key] = now
        return true
    }
}

extension ReportThrottle where Key == Bool {
    /// For a report about one thing only.
    package mutating func allows(now: NIODeadline = .now()) -> Bool {
        allows(true, now: now)
    }
}
