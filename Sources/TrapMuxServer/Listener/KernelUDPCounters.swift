import Foundation
import TrapDecoder
import TrapEvents

/// What the kernel dropped before trapmux could read it: datagrams that did not fit a socket's receive buffer.
///
/// Two figures, because they answer different questions: this server's own listen sockets' drop counters
/// (`/proc/net/udp` and `/proc/net/udp6`, the `drops` column of the rows whose inode is one of this process's
/// sockets and whose local port is a listen port), which are the traps trapmux lost; and the host-wide
/// `Udp: RcvbufErrors` of `/proc/net/snmp`, which counts every UDP socket on the host (other programs' too).
/// Reading /proc takes file I/O, so it is done off the event loop.
package struct KernelUDPCounters: Sendable {
    /// Drops of this process's sockets bound to one of the listen ports; nil where /proc is not readable.
    package var ownSocketDrops: UInt64?
    /// `Udp: RcvbufErrors`, system-wide; nil where /proc is not readable.
    package var hostReceiveBufferErrors: UInt64?

    /// Reads both figures for sockets on `ports`.
    package static func read(listenPorts ports: Set<Int>) -> KernelUDPCounters {
        KernelUDPCounters(ownSocketDrops: ownDrops(ports: ports), hostReceiveBufferErrors: hostReceiveBufferErrors())
    }

    private static func hostReceiveBufferErrors() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return nil }
        return UInt64(values[index])
    }

    private static func ownDrops(ports: Set<Int>) -> UInt64? {
        let inodes = ownSocketInodes()
        var total: UInt64?
        for table in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for row in text.split(separator: "\n").dropFirst() {
                let columns = row.split(separator: " ")
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                guard columns.count >= 13, let inode = UInt64(columns[9]), inodes.contains(inode),
                    let portText = columns[1].split(separator: ":").last, let port = Int(portText, radix: 16),
                    ports.contains(port), let drops = UInt64(columns[12])
                else { continue }
                total = (total ?? 0) + drops
            }
        }
        return total ?? (inodes.isEmpty ? nil : 0)
    }

    /// The inodes of this process's sockets (`/proc/self/fd/N -> socket:[INODE]`).
    private static func ownSocketInodes() -> Set<UInt64> {
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return [] }
        var inodes: Set<UInt64> = []
        for descriptor in descriptors {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
                target.hasPrefix("socket:["), target.hasSuffix("]"),
                let inode = UInt64(target.dropFirst(8).dropLast())
            else { continue }
            inodes.insert(inode)
        }
        return inodes
    }
}
