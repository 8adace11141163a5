import Foundation

/// The kernel's own count of UDP datagrams dropped for want of receive-buffer space (/proc/net/snmp).
enum KernelUDPCounters {
    /// `Udp: RcvbufErrors`, system-wide; nil where /proc is not readable.
    static func receiveBufferErrors() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return nil }
        return UInt64(values[index])
    }
}
