import TrapDecoder
import TrapEvents

extension HostPort {
    /// Whether the host is a wildcard (`0.0.0.0`, `::`, or either mapped): nothing can be sent to it.
    package var isWildcard: Bool {
        IPAddress(host)?.unmapped.isUnspecified ?? false
    }
}

extension HostPort {
    /// The listen address a relay to this target would arrive at, if any: a loop.
    ///
    /// Addresses are compared after normalising them: an IPv4-mapped IPv6 target is the IPv4 address it maps
    /// (it leaves as IPv4); a wildcard listen address receives everything sent to this host in its family
    /// (`127.0.0.0/8`, `::1`, the addresses of `localAddresses`); "localhost" is both loopback addresses. Other
    /// host names are checked once resolved, when the targets are opened.
    package func loopsBack(
        into listen: [HostPort], localAddresses: Set<IPAddress> = IPAddress.localInterfaceAddresses()
    ) -> HostPort? {
        let targets: [IPAddress]
        if host.lowercased() == "localhost" {
            targets = [IPAddress("127.0.0.1")!, IPAddress("::1")!]
        } else if let literal = IPAddress(host) {
            targets = [literal.unmapped]
        } else {
            return nil
        }
        return listen.first { own in
            guard own.port == port, let listening = IPAddress(own.host)?.unmapped else { return false }
            return targets.contains { Self.arrives($0, at: listening, localAddresses: localAddresses) }
        }
    }

    private static func arrives(_ target: IPAddress, at listening: IPAddress, localAddresses: Set<IPAddress>) -> Bool {
        if target == listening { return true }
        // IPv6 listeners are v6-only, so [::] does not receive what is sent to an IPv4 address, nor 0.0.0.0 IPv6.
        guard listening.isUnspecified, target.isIPv4 == listening.isIPv4 else { return false }
        return target.isLoopback || target.isUnspecified || localAddresses.contains(target)
    }
}
