import Foundation

#if canImport(Glibc)
import Glibc
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML
#endif

/// A UDP socket bound to a free port on 127.0.0.1 that collects what arrives: a stand-in upstream manager.
final class UDPSink {
    let fd: Int32
    let port: Int

    /// Binds 127.0.0.1:`port`, or a free port when `port` is 0.
    init(port requested: Int = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(requested).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else {
            close(fd)
            throw RunningServer.ServerFailure(description: "cannot bind a UDP sink to port \(requested)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(fd)
    }

    /// Datagrams received until `count` arrived or nothing came for `idle` seconds.
    func receive(count: Int, idle: Double = 3) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while datagrams.count < count {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(idle * 1000)) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { datagrams.append(Array(buffer[..<n])) }
        }
        return datagrams
    }
}

/// A UDP socket bound to a chosen loopback address (e.g. 127.0.0.2), so a trap's sender differs from every
/// server's own address (127.0.0.1) and a relay that reported its own address instead would be caught.
final class UDPSender {
    let fd: Int32

    init(from source: String = "127.0.0.2") throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, source, &address.sin_addr) == 1 else {
            close(fd)
            throw RunningServer.ServerFailure(description: "not an IPv4 address: \(source)")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw RunningServer.ServerFailure(description: "cannot bind a UDP sender to \(source)")
        }
    }

    deinit {
        close(fd)
    }

    /// Sends `datagrams` to 127.0.0.1:`port`, 20 at a time with a pause, so no receive buffer overflows.
    func send(_ datagrams: [[UInt8]], to port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        for (index, datagram) in datagrams.enumerated() {
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                    datagram.withUnsafeBytes {
                        sendto(fd, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            guard sent == datagram.count else {
                throw RunningServer.ServerFailure(description: "sendto failed: errno \(errno)")
            }
            if index % 20 == 19 { usleep(5_000) }
        }
    }

    /// Datagrams that come back (e.g. inform responses) with the port they came from, until `count` arrived
    /// or nothing came for `idle` seconds.
    func receive(count: Int, idle: Double) -> [(port: Int, datagram: [UInt8])] {
        var received: [(port: Int, datagram: [UInt8])] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < count {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(idle * 1000)) > 0 else { break }
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &from) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { source in
                    buffer.withUnsafeMutableBytes { recvfrom(fd, $0.baseAddress, $0.count, 0, source, &length) }
                }
            }
            if n >= 0 { received.append((Int(UInt16(bigEndian: from.sin_port)), Array(buffer[..<n]))) }
        }
        return received
    }
}
