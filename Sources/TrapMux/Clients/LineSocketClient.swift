#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// A blocking client for the subscriber socket: connect, send request lines, read answer lines.
/// Used by `tail` and `stats`, which are simple foreground programs.
///
/// Reading keeps one buffer with a read offset: a line is handed out by moving the offset, and the unread tail
/// is moved to the front only when the free space behind it runs low. Removing each line from the front of an
/// array instead moves up to the whole buffer per line, which capped a benchmark subscriber far below the
/// server's rate.
final class LineSocketClient {
    /// A failure to connect or talk to the socket.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Bytes asked for per `read`: many lines per system call at high rates.
    private static let readSize = 65_536

    private let fd: Int32
    /// Received bytes; `storage[readIndex..<writeIndex]` is not handed out yet.
    private var storage: UnsafeMutableRawBufferPointer
    private var readIndex = 0
    private var writeIndex = 0
    /// Where the search for the next newline resumes, so a long line that arrives in pieces is scanned once.
    private var scanIndex = 0

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
        // Room for a whole 64 KiB line (SPEC §6) plus a full read behind it.
        storage = .allocate(byteCount: 2 * Self.readSize, alignment: 1)
    }

    deinit {
        storage.deallocate()
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
        try withNextLine { Array($0) }
    }

    /// Calls `body` with the next line, without its newline, and returns its result; nil at end of stream.
    ///
    /// The bytes are a view into the client's buffer, valid only during the call: counting readers look at
    /// each line without copying it.
    func withNextLine<Result>(_ body: (UnsafeRawBufferPointer) -> Result) throws(Failure) -> Result? {
        while true {
            if let newline = nextNewline() {
                let line = UnsafeRawBufferPointer(rebasing: storage[readIndex..<newline])
                readIndex = newline + 1
                scanIndex = readIndex
                return body(line)
            }
            guard try fill() else {
                // End of stream: a last line without a newline still counts as a line.
                guard readIndex < writeIndex else { return nil }
                let line = UnsafeRawBufferPointer(rebasing: storage[readIndex..<writeIndex])
                readIndex = writeIndex
                scanIndex = writeIndex
                return body(line)
            }
        }
    }

    /// Whether a whole line has been received and not handed out yet (the next read will not wait).
    var hasCompleteLine: Bool {
        guard readIndex < writeIndex, let base = storage.baseAddress else { return false }
        return memchr(base + readIndex, 0x0A, writeIndex - readIndex) != nil
    }

    /// Sets a receive timeout for `readLine`.
    func setReadTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The offset of the next newline among the unread bytes, if one has arrived.
    private func nextNewline() -> Int? {
        guard scanIndex < writeIndex, let base = storage.baseAddress else { return nil }
        // memchr scans a word at a time; a byte loop in Swift was the reader's largest cost.
        guard let found = memchr(base + scanIndex, 0x0A, writeIndex - scanIndex) else {
            scanIndex = writeIndex
            return nil
        }
        return base.distance(to: UnsafeMutableRawPointer(found))
    }

    /// Reads more bytes behind the unread ones; false at end of stream.
    private func fill() throws(Failure) -> Bool {
        if storage.count - writeIndex < Self.readSize {
            makeRoom()
        }
        while true {
            let n = read(fd, storage.baseAddress! + writeIndex, storage.count - writeIndex)
            if n > 0 {
                writeIndex += n
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw Failure(description: "read: \(String(cString: strerror(errno)))")
        }
    }

    /// Moves the unread bytes to the front, and grows the buffer if a line longer than expected fills it.
    ///
    /// Called only when the space behind the unread bytes is below one read, so the bytes moved are at most
    /// one partial line per 64 KiB read, not the whole buffer per line.
    private func makeRoom() {
        let unread = writeIndex - readIndex
        if unread + Self.readSize > storage.count {
            // A line longer than the protocol allows: keep reading it rather than failing in a test tool.
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: unread + 2 * Self.readSize, alignment: 1)
            memcpy(larger.baseAddress!, storage.baseAddress! + readIndex, unread)
            storage.deallocate()
            storage = larger
        } else if readIndex > 0 {
            // The regions may overlap when more than half the buffer is unread.
            memmove(storage.baseAddress!, storage.baseAddress! + readIndex, unread)
        }
        scanIndex -= readIndex
        readIndex = 0
        writeIndex = unread
    }
}
