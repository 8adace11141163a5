#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// An IPv4 or IPv6 address as its octets in network order (4 or 16 of them).
package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 octets for IPv4, 16 for IPv6.
    package let octets: [UInt8]

    /// Wraps 4 or 16 octets; nil for any other count.
    package init?(octets: [UInt8]) {
        guard octets.count == 4 || octets.count == 16 else { return nil }
        self.octets = octets
    }

    /// Parses a dotted quad or IPv6 text (no brackets, no zone); nil for anything else, host names included.
    package init?(_ text: String) {
        if let v4 = IPv4Address(text) {
            octets = v4.octets
            return
        }
        var storage = [UInt8](repeating: 0, count: 16)
        let parsed = storage.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) }
        guard parsed == 1 else { return nil }
        octets = storage
    }

    package var isIPv4: Bool { octets.count == 4 }

    /// The IPv4 address that an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) stands for, else the address itself:
    /// a datagram sent to the mapped form leaves as IPv4 and reaches IPv4 sockets.
    package var unmapped: IPAddress {
        guard octets.count == 16, octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xFF, octets[11] == 0xFF else {
            return self
        }
        return IPAddress(octets: Array(octets[12...]))!
    }

    /// `0.0.0.0` or `::`: a wildcard to listen on, not an address to send to.
    package var isUnspecified: Bool { octets.allSatisfy { $0 == 0 } }

    /// `127.0.0.0/8` or `::1`.
    package var isLoopback: Bool {
        isIPv4 ? octets[0] == 127 : octets[0..<15].allSatisfy { $0 == 0 } && octets[15] == 1
    }

    package var description: String {
        isIPv4 ? IPv4Address(octets: octets)!.description : IPv6Text.format(octets)
    }

    /// The addresses configured on this host's interfaces (getifaddrs), for telling whether a datagram sent to an
    /// address stays on this host; empty when the list cannot be read.
    package static func localInterfaceAddresses() -> Set<IPAddress> {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { return [] }
        defer { freeifaddrs(first) }
        var addresses: Set<IPAddress> = []
        var next = first
        while let entry = next {
            defer { next = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                addresses.insert(IPAddress(octets: IPv4Address(UInt32(bigEndian: v4.s_addr)).octets)!)
            case AF_INET6:
                var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                addresses.insert(IPAddress(octets: withUnsafeBytes(of: &v6) { Array($0) })!)
            default:
                continue
            }
        }
        return addresses
    }
}
