#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// Connects a stream socket to a Unix socket path; shared by the clients and the live-socket check.
package enum UnixSocketConnect {
    /// Why connecting failed.
    package enum Failure: Error {
        case pathTooLong
        case system(Int32)
    }

    /// Connects `fd` to `path`.
    package static func connect(_ fd: Int32, to path: String) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw .system(errno) }
    }
}
