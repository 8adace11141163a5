import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// Reads one datagram for `trapmux decode` and `trapmux send --file`: raw bytes, or hex text.
enum DatagramFile {
    /// Why a datagram file could not be read.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The largest UDP payload (IPv6 jumbograms aside): no datagram is longer.
    static let maximumDatagram = 65_535
    /// The most bytes read: hex text spells a datagram in two digits per octet plus spacing, so a whole
    /// 65,535-octet datagram in hex fits, and `/dev/zero` or a wrong file costs no more than this.
    static let maximumInput = 4 * 65_536

    /// Reads `path` (`-` for standard input). Text made only of hex digits and whitespace is taken as hex.
    static func read(_ path: String) throws -> [UInt8] {
        let name = path == "-" ? "standard input" : path
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard descriptor >= 0 else {
                throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                close(descriptor)
                throw ReadError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            let kind = status.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFIFO else {
                close(descriptor)
                let what = kind == S_IFDIR ? "a directory" : kind == S_IFCHR ? "a character device" : "not a regular file"
                throw ReadError(description: "cannot read \(path): it is \(what); expected a file holding one datagram (raw or hex)")
            }
            // Opened non-blocking only so that a FIFO without a writer does not hang the open; reads block.
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        }
        defer { if path != "-" { close(descriptor) } }
        let bytes = try readBounded(descriptor, name: name)
        if let decoded = HexText.decoded(bytes) {
            guard decoded.count <= maximumDatagram else {
                throw ReadError(description: "\(name) spells \(decoded.count) octets in hex; a datagram has at most \(maximumDatagram)")
            }
            return decoded
        }
        guard bytes.count <= maximumDatagram else {
            throw ReadError(description: "\(name) holds more than \(maximumDatagram) bytes; a datagram has at most \(maximumDatagram)")
        }
        return bytes
    }

    /// Reads to the end, but never more than `maximumInput` bytes.
    private static func readBounded(_ descriptor: Int32, name: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maximumInput + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw ReadError(description: "cannot read \(name): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            count += n
        }
        guard count <= maximumInput else {
            throw ReadError(
                description: "\(name) is longer than \(maximumInput) bytes; expected one datagram (at most \(maximumDatagram) bytes, or its hex text)")
        }
        bytes.removeSubrange(count...)
        return bytes
    }
}
