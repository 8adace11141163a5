/// An IPv4 address as SNMP carries it (IpAddress, agent-addr): four octets in network order.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a big-endian integer (192.0.2.7 = 0xC0000207).
    public let value: UInt32

    /// Creates an address from its big-endian integer form.
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Creates an address from exactly four octets; nil otherwise.
    public init?(octets: some Collection<UInt8>) {
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    /// Parses a dotted quad such as `192.0.2.7`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard part.count <= 3, let octet = UInt8(part) else { return nil }
            octets.append(octet)
        }
        self.init(octets: octets)
    }

    /// The four octets in network order.
    public var octets: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }

    /// Dotted quad text.
    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }
}
