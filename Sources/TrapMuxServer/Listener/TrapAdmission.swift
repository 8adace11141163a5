import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// The checks a decoded trap passes before delivery: the community allow-list and the per-source rate limit; and
/// whose snmpTrapAddress.0 is believed (`trusted_forwarders`).
///
/// One instance is shared by every listener channel and lives on the router's event loop, so SIGHUP can replace the
/// rules between two datagrams (`apply`) without a lock and without a listener being rebound.
package final class TrapAdmission {
    /// Allowed communities as bytes; empty = every community.
    private(set) var communities: [[UInt8]]
    private var rateLimit: TrapMuxConfiguration.RateLimitSettings?
    private var rateLimiter: SourceRateLimiter?
    /// Senders whose snmpTrapAddress.0 is believed.
    private(set) var trustedForwarders: [CIDR]

    package init(
        communities: [String], rateLimit: TrapMuxConfiguration.RateLimitSettings?, trustedForwarders: [CIDR] = []
    ) {
        self.communities = communities.map { Array($0.utf8) }
        self.trustedForwarders = trustedForwarders
        self.rateLimit = rateLimit
        self.rateLimiter = rateLimit.map(SourceRateLimiter.init)
    }

    /// Takes new rules. An unchanged rate limit keeps its buckets, so a reload does not hand every source a
    /// fresh burst.
    package func apply(
        communities: [String], rateLimit: TrapMuxConfiguration.RateLimitSettings?, trustedForwarders: [CIDR] = []
    ) {
        self.communities = communities.map { Array($0.utf8) }
        self.trustedForwarders = trustedForwarders
        if rateLimit != self.rateLimit {
            self.rateLimit = rateLimit
            rateLimiter = rateLimit.map(SourceRateLimiter.init)
        }
    }

    /// Whether the community is allowed (always, when no list is configured).
    package func allows(community: ArraySlice<UInt8>?) -> Bool {
        guard !communities.isEmpty else { return true }
        guard let community else { return false }
        return communities.contains { $0.elementsEqual(community) }
    }

    /// Whether `source` is a trusted forwarder, whose snmpTrapAddress.0 names the agent (none, by default).
    package func trustsTrapAddress(from source: [UInt8]) -> Bool {
        !trustedForwarders.isEmpty && trustedForwarders.contains { $0.contains(source) }
    }

    /// Whether a trap from `source` is within the rate limit now (always, when there is none).
    package func admit(_ source: [UInt8], now: @autoclosure () -> NIODeadline) -> Bool {
        guard rateLimiter != nil else { return true }
        return rateLimiter!.admit(source, now: now())
    }

    /// Logs what the rate limit held back, at most once a minute.
    package func summarise(now: NIODeadline, logger: Logger) {
        rateLimiter?.summarise(now: now, logger: logger)
    }
}
