import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// A problem with the subscriber socket's path, reported as event 103.
package struct SocketPathError: Error, CustomStringConvertible {
    package let fault: ProcessEvent.IOFault
    package var description: String { fault.info }
}

/// Prepares the subscriber socket's path: makes its folder, replaces a stale socket left by a dead process,
/// and refuses to touch a live one (another trapmux) or anything that is not a socket.
package enum SocketPath {
    package static func prepare(_ path: String) throws(SocketPathError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw SocketPathError(
                    fault: .init(
                        code: errno == 0 ? EACCES : errno, file: folder,
                        info: "cannot create the socket's folder: make it exist and writable for trapmux's user"))
            }
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw SocketPathError(
                fault: .init(
                    code: EEXIST, file: path,
                    info: "the socket path exists and is not a socket; remove it or choose another path"))
        }
        if isLive(path) {
            throw SocketPathError(
                fault: .init(
                    code: EADDRINUSE, file: path,
                    info: "another process (a running trapmux?) is listening on this socket; it is not taken over"))
        }
        if unlink(path) != 0 {
            let code = errno
            throw SocketPathError(
                fault: .init(code: code, file: path, info: "cannot remove the stale socket: \(String(cString: strerror(code)))"))
        }
    }

    /// Whether something accepts connections on the socket at `path`.
    package static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return (try? UnixSocketConnect.connect(fd, to: path)) != nil
    }
}
