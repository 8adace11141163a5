import TrapDecoder
import TrapEvents

/// What the receive path counted since start: datagrams, traps by version and generic, errors by kind, refusals.
/// Owned by the listeners (shared by their channels, confined to their event loop); `stats` reads it.
package final class ReceiveStatistics {
    package var datagrams: UInt64 = 0
    /// Notifications accepted, by version (v1, v2c, v3: authentic, timely, decrypted).
    package var v1Traps: UInt64 = 0
    package var v2cTraps: UInt64 = 0
    package var v3Traps: UInt64 = 0
    package var trapsByGeneric = [UInt64](repeating: 0, count: 7)
    package var informsAnswered: UInt64 = 0
    package var decodeErrors: [TrapDecodingError.Kind: UInt64] = [:]
    /// Traps whose community is not in the configured allow-list.
    package var communityRejected: UInt64 = 0
    /// Traps over their source's rate limit (not delivered, not relayed).
    package var rateLimited: UInt64 = 0

    package init() {}

    /// Counts an accepted notification.
    package func accepted(_ version: SNMPVersion, generic: GenericTrap) {
        switch version {
        case .v1: v1Traps += 1
        case .v2c: v2cTraps += 1
        case .v3: v3Traps += 1
        }
        trapsByGeneric[Int(generic.rawValue)] += 1
    }
}
