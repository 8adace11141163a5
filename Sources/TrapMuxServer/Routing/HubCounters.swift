import TrapDecoder
import TrapEvents

/// What the receive path counted since start: traps by version and generic, errors by kind, refusals.
package struct HubCounters {
    package var datagrams: UInt64 = 0
    /// SNMPv1 traps accepted.
    package var v1Traps: UInt64 = 0
    /// SNMPv2c traps and informs accepted.
    package var v2cTraps: UInt64 = 0
    package var trapsByGeneric = [UInt64](repeating: 0, count: 7)
    package var informsAnswered: UInt64 = 0
    package var decodeErrors: [TrapDecodingError.Kind: UInt64] = [:]
    /// Traps whose community is not in the configured allow-list.
    package var communityRejected: UInt64 = 0
    /// SNMPv3 traps and informs accepted (authentic, timely, decrypted).
    package var v3Traps: UInt64 = 0
    /// Events dropped from full subscriber queues.
    package var queueDropped: UInt64 = 0
    /// Events shed because the memory budget was exhausted.
    package var memoryShed: UInt64 = 0
    /// Traps over their source's rate limit (not delivered, not relayed).
    package var rateLimited: UInt64 = 0
    /// Traps this server had relayed that came back through another receiver (not delivered, not relayed again).
    package var relayLoops: UInt64 = 0
    /// Connections refused because `max_unsubscribed_connections` were open.
    package var connectionsRefused: UInt64 = 0
    /// Connections closed before their first line: none came within `first_line_timeout`, or a newer connection
    /// took their place at `max_unsubscribed_connections`.
    package var connectionsIdleClosed: UInt64 = 0
    /// Subscribers closed by the disconnect overflow policy.
    package var overflowDisconnects: UInt64 = 0
}
