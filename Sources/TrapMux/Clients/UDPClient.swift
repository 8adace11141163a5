#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// A blocking UDP socket connected to one address; `send` uses it for traps and informs.
final class UDPClient {
    /// A socket failure, with errno text.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32

    /// Opens a socket connected to `address` (IPv4 or IPv6 literal).
    init(to address: HostPort) throws(Failure) {
        var storage = sockaddr_storage()
        var length: socklen_t
        var family: Int32
        if let octets = IPAddress(address.host)?.octets, octets.count == 4 {
            family = AF_INET
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: octets) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v4) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if let octets = IPAddress(address.host)?.octets {
            family = AF_INET6
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: octets) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v6) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw Failure(description: "\(address.host) is not an IP address")
        }
        fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket(): \(String(cString: strerror(errno)))") }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard result == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect \(address): \(why)")
        }
    }

    deinit {
        close(fd)
    }

    /// Sends one datagram.
    func send(_ datagram: [UInt8]) throws(Failure) {
        let n = datagram.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard n == datagram.count else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
    }

    /// Waits up to `timeout` seconds for one datagram; nil on timeout.
    func receive(timeout: Double) throws(Failure) -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        guard ready > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw Failure(description: "recv: \(String(cString: strerror(errno)))") }
        return Array(buffer[..<n])
    }
}
