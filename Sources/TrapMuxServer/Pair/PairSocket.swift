import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// A control connection before NIO takes it over: blocking frames, and descriptors passed with SCM_RIGHTS
/// (`sendmsg`/`recvmsg`; NIO does not pass descriptors). Used for the opening of a pairing and by `trapmux pair`.
package struct PairSocket: ~Copyable {
    /// The connected descriptor; -1 once handed on or closed.
    package private(set) var fd: Int32

    /// Wraps an accepted or connected stream socket.
    package init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Connects to the control socket at `path`.
    package static func connect(to path: String) throws(PairSocketError) -> PairSocket {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PairSocketError(code: errno, what: "socket") }
        do {
            try UnixSocketConnect.connect(fd, to: path)
        } catch {
            Glibc.close(fd)
            switch error {
            case .pathTooLong: throw PairSocketError(code: ENAMETOOLONG, what: "connect \(path)")
            case .system(let code): throw PairSocketError(code: code, what: "connect \(path)")
            }
        }
        return PairSocket(fd: fd)
    }

    /// Gives up the descriptor (to NIO) without closing it.
    package mutating func take() -> Int32 {
        defer { fd = -1 }
        return fd
    }

    /// The peer's pid as the kernel saw it (SO_PEERCRED); 0 when it is not visible (another pid namespace).
    package var peerPID: Int32 {
        var credentials = PeerCredential()
        var length = socklen_t(MemoryLayout<PeerCredential>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return 0 }
        return credentials.pid
    }

    /// Limits how long one read or write may block.
    package func setTimeout(_ duration: Duration) {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        var value = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a whole frame, with `descriptors` (SCM_RIGHTS) on its first byte.
    package func send(_ frame: ByteBuffer, descriptors: [Int32] = []) throws(PairSocketError) {
        let bytes = Array(frame.readableBytesView)
        var offset = 0
        if !descriptors.isEmpty {
            offset = try sendWithDescriptors(bytes, descriptors)
        }
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw PairSocketError(code: errno, what: "send") }
            offset += sent
        }
    }

    /// `sendmsg` with one SCM_RIGHTS control message; returns the bytes it sent.
    private func sendWithDescriptors(_ bytes: [UInt8], _ descriptors: [Int32]) throws(PairSocketError) -> Int {
        var control = [UInt8](repeating: 0, count: ControlMessage.space(descriptors: descriptors.count))
        ControlMessage.fillRights(&control, descriptors)
        var data = bytes
        var sent = -1
        Self.withMessage(&data, &control) { message in
            repeat { sent = sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) } while sent < 0 && errno == EINTR
        }
        guard sent > 0 else { throw PairSocketError(code: errno, what: "sendmsg") }
        return sent
    }

    /// A `msghdr` over `data` (one iovec) and `control`, for one `sendmsg` or `recvmsg`.
    private static func withMessage(_ data: inout [UInt8], _ control: inout [UInt8], _ body: (inout msghdr) -> Void) {
        data.withUnsafeMutableBytes { dataBytes in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: dataBytes.baseAddress, iov_len: dataBytes.count)
                withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    body(&message)
                }
            }
        }
    }

    /// Reads one whole frame and the descriptors that came with it; a read past the timeout fails with EAGAIN.
    package func readFrame() throws(PairSocketError) -> (PairControlProtocol.FrameType, ByteBuffer, [Int32]) {
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        var descriptors: [Int32] = []
        while true {
            do {
                if let (type, body) = try PairControlProtocol.nextFrame(&buffer) {
                    return (type, body, descriptors)
                }
            } catch {
                for descriptor in descriptors { Glibc.close(descriptor) }
                throw PairSocketError(code: EPROTO, what: error.description)
            }
            let (chunk, received) = try receive()
            guard !chunk.isEmpty else {
                for descriptor in descriptors { Glibc.close(descriptor) }
                throw PairSocketError(code: ECONNRESET, what: "the peer closed the connection")
            }
            buffer.writeBytes(chunk)
            descriptors += received
        }
    }

    /// One `recvmsg`: bytes (empty at end of stream) and any descriptors passed with them (close-on-exec).
    private func receive() throws(PairSocketError) -> ([UInt8], [Int32]) {
        var data = [UInt8](repeating: 0, count: 65_536)
        var control = [UInt8](repeating: 0, count: ControlMessage.space(descriptors: 16))
        var received = -1
        var controlLength = 0
        Self.withMessage(&data, &control) { message in
            repeat { received = recvmsg(fd, &message, Int32(MSG_CMSG_CLOEXEC)) } while received < 0 && errno == EINTR
            controlLength = message.msg_controllen
        }
        guard received >= 0 else { throw PairSocketError(code: errno, what: "recvmsg") }
        return (Array(data.prefix(received)), ControlMessage.rights(control, length: controlLength))
    }
}

/// A control connection that failed: the errno and what was being done.
package struct PairSocketError: Error, CustomStringConvertible {
    package let code: Int32
    package let what: String
    package var description: String { "\(what): \(String(cString: strerror(code)))" }
}

/// The layout of one SCM_RIGHTS control message (Linux `cmsghdr`: length as size_t, level, type, then the
/// descriptors), which Swift cannot build through the CMSG_* macros.
enum ControlMessage {
    private static let headerLength = MemoryLayout<Int>.size + 2 * MemoryLayout<Int32>.size

    private static func align(_ length: Int) -> Int {
        (length + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1)
    }

    /// CMSG_SPACE for `descriptors` descriptors.
    static func space(descriptors: Int) -> Int {
        align(headerLength) + align(descriptors * MemoryLayout<Int32>.size)
    }

    /// Writes one SCM_RIGHTS message carrying `descriptors` at the start of `control`.
    static func fillRights(_ control: inout [UInt8], _ descriptors: [Int32]) {
        control.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: headerLength + descriptors.count * 4, toByteOffset: 0, as: Int.self)
            raw.storeBytes(of: SOL_SOCKET, toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
            raw.storeBytes(of: Int32(SCM_RIGHTS), toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
            for (index, descriptor) in descriptors.enumerated() {
                raw.storeBytes(of: descriptor, toByteOffset: align(headerLength) + index * 4, as: Int32.self)
            }
        }
    }

    /// The descriptors of every SCM_RIGHTS message in the first `length` bytes of `control`.
    static func rights(_ control: [UInt8], length: Int) -> [Int32] {
        var descriptors: [Int32] = []
        var offset = 0
        control.withUnsafeBytes { raw in
            while offset + headerLength <= min(length, raw.count) {
                let messageLength = raw.loadUnaligned(fromByteOffset: offset, as: Int.self)
                let level = raw.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size, as: Int32.self)
                let type = raw.loadUnaligned(fromByteOffset: offset + MemoryLayout<Int>.size + 4, as: Int32.self)
                guard messageLength >= headerLength, offset + messageLength <= raw.count else { break }
                if level == SOL_SOCKET && type == Int32(SCM_RIGHTS) {
                    let count = (messageLength - headerLength) / 4
                    for index in 0..<count {
                        descriptors.append(
                            raw.loadUnaligned(fromByteOffset: offset + align(headerLength) + index * 4, as: Int32.self))
                    }
                }
                offset += align(messageLength)
            }
        }
        return descriptors
    }
}
