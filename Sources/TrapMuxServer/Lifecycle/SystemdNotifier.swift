#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// systemd's service notification protocol (sd_notify(3)) without libsystemd: each message is one datagram of
/// `KEY=VALUE` lines sent to the Unix socket named by `$NOTIFY_SOCKET` (a path, or `@name` in the abstract
/// namespace).
///
/// The socket is non-blocking: `WATCHDOG=1` is sent from the receive loop itself, which must never wait for
/// systemd; a message the socket cannot take at once is lost, and the next ping makes up for it.
package final class SystemdNotifier: Sendable {
    private let descriptor: Int32
    /// The `sockaddr_un` of the notification socket, as bytes, and its length.
    private let address: [UInt8]

    /// The notifier `$NOTIFY_SOCKET` in `environment` names; nil without one (not started by systemd with
    /// Type=notify), or when it is not a Unix socket path or abstract name.
    package static func fromEnvironment(_ environment: [String: String]) -> SystemdNotifier? {
        guard let name = environment["NOTIFY_SOCKET"], name.hasPrefix("/") || name.hasPrefix("@") else { return nil }
        return SystemdNotifier(socketName: name)
    }

    /// A notifier for the socket at `socketName` (`/path` or `@abstract`); nil when no socket can be made for it.
    package init?(socketName: String) {
        var path = Array(socketName.utf8)
        // An abstract socket's name starts with a NUL byte where `@` is written.
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let pathCapacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard path.count < pathCapacity || (path.first == 0 && path.count <= pathCapacity) else { return nil }
        var address = [UInt8](repeating: 0, count: MemoryLayout<sa_family_t>.size)
        withUnsafeBytes(of: sa_family_t(AF_UNIX)) { address.replaceSubrange(0..<$0.count, with: $0) }
        address += path
        // A path is NUL-terminated; an abstract name is exactly its bytes.
        if path.first != 0 { address.append(0) }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        self.descriptor = descriptor
        self.address = address
    }

    deinit {
        close(descriptor)
    }

    /// Sends one message: `fields` as `KEY=VALUE` lines. Returns whether the socket took it.
    @discardableResult
    package func send(_ fields: KeyValuePairs<String, String>) -> Bool {
        // A newline inside a value would start a field of its own.
        let text = fields.map { "\($0.key)=\($0.value.replacing("\n", with: " "))" }.joined(separator: "\n")
        let message = Array(text.utf8)
        let sent = address.withUnsafeBytes { addressBytes in
            message.withUnsafeBytes { bytes in
                sendto(
                    descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL),
                    addressBytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(addressBytes.count))
            }
        }
        return sent == message.count
    }

    /// `READY=1`: start-up is complete (after event 102), or a reload is.
    package func ready(status: String) {
        send(["READY": "1", "STATUS": status])
    }

    /// `RELOADING=1` with the monotonic time systemd needs to match it with the next `READY=1`.
    package func reloading(status: String) {
        send(["RELOADING": "1", "MONOTONIC_USEC": "\(Self.monotonicMicroseconds())", "STATUS": status])
    }

    /// `STOPPING=1`: the shutdown has begun.
    package func stopping(status: String) {
        send(["STOPPING": "1", "STATUS": status])
    }

    /// `WATCHDOG=1`: the process (its receive loop) is alive.
    package func watchdog() {
        send(["WATCHDOG": "1"])
    }

    /// `STATUS=`: one line for `systemctl status`.
    package func status(_ text: String) {
        send(["STATUS": text])
    }

    /// How often systemd wants `WATCHDOG=1`: half of `$WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil when
    /// the watchdog is off or `$WATCHDOG_PID` names another process (the variables were inherited).
    package static func watchdogInterval(_ environment: [String: String], processID: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else {
            return nil
        }
        if let pid = environment["WATCHDOG_PID"], !pid.isEmpty, Int32(pid) != processID { return nil }
        return .microseconds(microseconds / 2)
    }

    /// CLOCK_MONOTONIC in microseconds, the clock of `MONOTONIC_USEC`.
    private static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
    }
}
