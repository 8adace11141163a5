import NIOCore
import TrapDecoder
import TrapEvents

/// Which connections to the subscriber socket may stay while they have not subscribed (health checks, `trapmux
/// stats`, clients between connecting and subscribing): at most `max_unsubscribed_connections`, so idle ones
/// cannot use up the descriptors. Confined to the router's event loop.
package final class ConnectionAdmission {
    /// What was refused or closed since start.
    package struct Counters {
        /// Connections refused because `max_unsubscribed_connections` were open and every one had talked.
        package var refused: UInt64 = 0
        /// Connections closed before their first line: none came within `first_line_timeout`, or a newer connection
        /// took their place at the limit.
        package var idleClosed: UInt64 = 0
    }

    /// The limit and the first-line timeout; a reload replaces them.
    package var limit: Int
    package var firstLineTimeout: Duration
    package private(set) var counters = Counters()
    /// Connections admitted that have not subscribed (yet).
    package private(set) var unsubscribed = 0
    /// Connections that have sent no line yet, with when they connected: the first to go when the limit is
    /// reached, so that a client that talks at once gets in even while idle connections are held open.
    private var awaitingFirstLine: [ObjectIdentifier: (channel: Channel, since: NIODeadline)] = [:]

    package init(limit: Int, firstLineTimeout: Duration) {
        self.limit = limit
        self.firstLineTimeout = firstLineTimeout
    }

    /// Counts a new connection in; false when it must be refused. At the limit, the oldest connection that has not
    /// sent a line yet is closed to make room.
    package func admit(_ channel: Channel) -> Bool {
        if unsubscribed >= limit {
            guard let oldest = awaitingFirstLine.min(by: { $0.value.since < $1.value.since }) else {
                counters.refused += 1
                return false
            }
            awaitingFirstLine[oldest.key] = nil
            counters.idleClosed += 1
            oldest.value.channel.close(promise: nil)
        }
        unsubscribed += 1
        awaitingFirstLine[ObjectIdentifier(channel)] = (channel, .now())
        return true
    }

    /// An admitted connection sent its first line.
    package func firstLineReceived(on channel: Channel) {
        awaitingFirstLine[ObjectIdentifier(channel)] = nil
    }

    /// An admitted connection sent nothing within `firstLineTimeout` and is being closed.
    package func firstLineTimedOut() {
        counters.idleClosed += 1
    }

    /// An admitted connection subscribed or closed.
    package func left(_ channel: Channel) {
        awaitingFirstLine[ObjectIdentifier(channel)] = nil
        unsubscribed -= 1
    }
}
