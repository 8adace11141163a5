import TrapDecoder

/// What the receive path counted since start: traps by version and generic, errors by kind, refusals.
struct HubCounters {
    var datagrams: UInt64 = 0
    /// SNMPv1 traps accepted.
    var v1Traps: UInt64 = 0
    /// SNMPv2c traps and informs accepted.
    var v2cTraps: UInt64 = 0
    var trapsByGeneric = [UInt64](repeating: 0, count: 7)
    var informsAnswered: UInt64 = 0
    var decodeErrors: [TrapDecodingError.Kind: UInt64] = [:]
    /// Traps whose community is not in the configured allow-list.
    var communityRejected: UInt64 = 0
    /// SNMPv3 traps and informs accepted (authentic, timely, decrypted).
    var v3Traps: UInt64 = 0
    /// Events dropped from full subscriber queues.
    var queueDropped: UInt64 = 0
    /// Events shed because the memory budget was exhausted.
    var memoryShed: UInt64 = 0
    /// Traps over their source's rate limit (not delivered, not relayed).
    var rateLimited: UInt64 = 0
    /// Traps this server had relayed that came back through another receiver (not delivered, not relayed again).
    var relayLoops: UInt64 = 0
    /// Connections refused because `max_unsubscribed_connections` were open.
    var connectionsRefused: UInt64 = 0
    /// Connections closed before their first line: none came within `first_line_timeout`, or a newer connection
    /// took their place at `max_unsubscribed_connections`.
    var connectionsIdleClosed: UInt64 = 0
    /// Subscribers closed by the disconnect overflow policy.
    var overflowDisconnects: UInt64 = 0
}
