import TrapDecoder
import TrapEvents

/// An address and port as operators write them (`listen`, relay targets, `--to`): an IPv4 address, an IPv6 address
/// in brackets, or a host name, then `:` and a port 1–65535. The one parser of such text.
package struct HostPort: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    /// Parses `0.0.0.0:162`, `[::]:162`, `127.0.0.1:1162` or `nms.example.net:162`.
    package init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = Int(portPart), (1...65535).contains(port), !hostPart.isEmpty else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The host as an IP address; nil for a host name.
    package var ip: IPAddress? { IPAddress(host) }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
