import TrapDecoder

/// Where a datagram came from: the sender's IP address (4 or 16 octets) and UDP port.
package struct SourceAddress: Sendable, Hashable {
    /// The address octets in network order: 4 for IPv4, 16 for IPv6.
    package let ip: [UInt8]
    /// The UDP source port.
    package let port: Int
    /// The IP address as text (`192.0.2.7`, `2001:db8::1`), made once because every event shows it.
    package let ipText: String
    /// `ip:port`, with IPv6 in brackets (`[2001:db8::1]:162`), made once for the same reason.
    package let description: String

    /// A sender's address and port.
    package init(ip: [UInt8], port: Int) {
        self.ip = ip
        self.port = port
        if ip.count == 4 {
            var text = OutputBytes(capacity: 16)
            IPv4Address(octets: ip)!.appendDotted(to: &text)
            ipText = text.string
        } else {
            ipText = IPv6Text.format(ip)
        }
        description = ip.count == 4 ? ipText + ":" + String(port) : "[" + ipText + "]:" + String(port)
    }
}

/// RFC 5952 text for IPv6 addresses: lowercase, leading zeros dropped, the longest zero run as `::`.
package enum IPv6Text {
    package static func format(_ octets: [UInt8]) -> String {
        guard octets.count == 16 else { return "" }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) {
            groups.append(UInt16(octets[i]) << 8 | UInt16(octets[i + 1]))
        }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + octets[12...].map(String.init).joined(separator: ".")
        }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ slice: ArraySlice<UInt16>) -> String {
            slice.map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(groups[...]) }
        return hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
    }
}
