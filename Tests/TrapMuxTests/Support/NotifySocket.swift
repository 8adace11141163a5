import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The test's side of systemd's notification protocol: a Unix datagram socket that a child finds in
/// `$NOTIFY_SOCKET`, collecting every message it sends, each with when it arrived.
final class NotifySocket: @unchecked Sendable {
    /// A message: its `KEY=VALUE` fields, and when it arrived.
    struct Message: Sendable {
        let fields: [String: String]
        let at: ContinuousClock.Instant
    }

    /// The value for `NOTIFY_SOCKET`: the path, or `@name` for an abstract socket.
    let name: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Message] = []
    private var closed = false

    /// Binds a socket at `path` (a file path, or `@name` in the abstract namespace) and starts reading it.
    init(_ path: String) throws {
        name = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw RunningServer.ServerFailure(description: "bind \(path): \(errno)") }
        var limit = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in read() }
    }

    deinit {
        close(fd)
    }

    private func read() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !lock.withLock({ closed }) {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            var fields: [String: String] = [:]
            for line in String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            let message = Message(fields: fields, at: .now)
            lock.withLock { received.append(message) }
        }
    }

    /// Stops reading (the socket closes with the object).
    func stop() {
        lock.withLock { closed = true }
    }

    /// Every message so far.
    var messages: [Message] { lock.withLock { received } }

    /// Waits (bounded) until a message has `key` = `value`, after the first `skipping` messages; returns it.
    func wait(for key: String, _ value: String = "1", after skipping: Int = 0, timeout: Duration = .seconds(15))
        async -> Message?
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = messages.dropFirst(skipping).first(where: { $0.fields[key] == value }) { return found }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
