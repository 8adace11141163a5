/// An IPv4 address as SNMP carries it (IpAddress, agent-addr): four octets in network order.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a big-endian integer (192.0.2.7 = 0xC0000207).
    public let value: UInt32

    /// Creates an address from its big-endian integer form.
    public init(_ value: UInt32) {
        self.value = value
    }

    /// Creates an address from exactly four octets; nil otherwise. Inlinable, so that other modules get it
    /// specialised for their collection: the generic version iterates through witnesses and allocates.
    @inlinable
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

    /// Dotted quad text (at most 15 bytes: a small string, made without a heap allocation).
    public var description: String {
        String(unsafeUninitializedCapacity: 15) { buffer in
            var index = 0
            for shift in [24, 16, 8, 0] as [UInt32] {
                if shift != 24 {
                    buffer[index] = UInt8(ascii: ".")
                    index += 1
                }
                let octet = UInt8(truncatingIfNeeded: value >> shift)
                if octet >= 100 {
                    buffer[index] = UInt8(ascii: "0") &+ octet / 100
                    index += 1
                }
                if octet >= 10 {
                    buffer[index] = UInt8(ascii: "0") &+ (octet / 10) % 10
                    index += 1
                }
                buffer[index] = UInt8(ascii: "0") &+ octet % 10
                index += 1
            }
            return index
        }
    }
}
