#if canImport(Glibc)
import Glibc
#endif

/// A blocking client for the subscriber socket: connect, send request lines, read answer lines.
/// Used by `tail` and `stats`, which are simple foreground programs.
final class LineSocketClient {
    /// A failure to connect or talk to the socket.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to the Unix socket at `path`.
    init(path: String) throws(Failure) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket(): \(String(cString: strerror(errno)))") }
        do {
            try UnixSocketConnect.connect(fd, to: path)
        } catch {
            close(fd)
            switch error {
            case .pathTooLong:
                throw Failure(description: "socket path too long: \(path)")
            case .system(let code):
                throw Failure(
                    description: "cannot connect to \(path): \(String(cString: strerror(code))) (is trapmux running? see --socket)")
            }
        }
    }

    deinit {
        close(fd)
    }

    /// Sends one line (a newline is added).
    func send(_ line: String) throws(Failure) {
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    /// Reads the next line without its newline; nil at end of stream.
    func readLine() throws(Failure) -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return buffer.isEmpty ? nil : { defer { buffer.removeAll() }; return buffer }() }
            guard n > 0 else {
                if errno == EINTR { continue }
                throw Failure(description: "read: \(String(cString: strerror(errno)))")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Sets a receive timeout for `readLine`.
    func setReadTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}
