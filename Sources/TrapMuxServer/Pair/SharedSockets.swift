import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// The sockets a pair shares (SPEC §14): the UDP listen sockets and the subscriber listening socket.
///
/// The primary binds them itself (not through NIO, which keeps its descriptors to itself) and keeps a copy of each
/// to pass to a backup; NIO gets a duplicate (`withBoundSocket`). The backup holds the copies it was passed and
/// hands NIO duplicates only when it takes over; until then the listener and the subscriber socket wait here.
/// Two processes holding one socket share its receive queue, so what the kernel queued while the primary died or
/// hung is read by the backup.
package final class SharedSockets: Sendable {
    private struct State {
        var udp: [String: Int32] = [:]
        var subscriber: Int32?
        /// Whether the services may take their sockets: always in a primary, after takeover in a backup.
        var released: Bool
        var cancelled = false
        var handedOver = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }

    private let state: NIOLockedValueBox<State>

    /// Sockets a primary binds (`released`), or that a backup waits to be handed.
    package init(released: Bool) {
        state = NIOLockedValueBox(State(released: released))
    }

    // MARK: What the services take

    /// A descriptor for NIO to own for the UDP listener on `address`: bound now by a primary, the shared one after
    /// takeover in a backup; nil when the server stops first.
    package func udpSocket(for address: HostPort, receiveBufferBytes: Int) async throws -> Int32? {
        guard await waitUntilReleased() else { return nil }
        if let held = state.withLockedValue({ $0.udp[address.description] }) {
            return try duplicate(held)
        }
        let fd = try Self.bindUDP(address, receiveBufferBytes: receiveBufferBytes)
        state.withLockedValue { $0.udp[address.description] = fd }
        return try duplicate(fd)
    }

    /// A descriptor for NIO to own for the subscriber socket at `path` (see `udpSocket`).
    package func subscriberSocket(path: String, mode: UInt32) async throws -> Int32? {
        guard await waitUntilReleased() else { return nil }
        if let held = state.withLockedValue({ $0.subscriber }) {
            return try duplicate(held)
        }
        let fd = try Self.bindUnix(path, mode: mode)
        state.withLockedValue { $0.subscriber = fd }
        return try duplicate(fd)
    }

    // MARK: Pairing

    /// The descriptors to pass to a backup, once every socket is bound: the UDP ones in `addresses` order, then the
    /// subscriber socket; nil before.
    package func descriptors(for addresses: [HostPort]) -> [Int32]? {
        state.withLockedValue { state in
            let udp = addresses.compactMap { state.udp[$0.description] }
            guard udp.count == addresses.count, let subscriber = state.subscriber else { return nil }
            return udp + [subscriber]
        }
    }

    /// A backup keeps the descriptors its primary passed (UDP in `addresses` order, then the subscriber socket).
    package func hold(_ descriptors: [Int32], for addresses: [HostPort]) {
        state.withLockedValue { state in
            for (address, fd) in zip(addresses, descriptors) { state.udp[address.description] = fd }
            state.subscriber = descriptors.count == addresses.count + 1 ? descriptors.last : nil
        }
    }

    /// Whether a backup holds every socket it needs to take over.
    package func holdsAll(for addresses: [HostPort]) -> Bool {
        descriptors(for: addresses) != nil
    }

    /// Takeover: the waiting services take the sockets now.
    package func release() {
        let waiters = state.withLockedValue { state in
            state.released = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// This primary handed over: its subscribers need not drain, they resume from the new primary's ring.
    package func markHandedOver() {
        state.withLockedValue { $0.handedOver = true }
    }

    /// Whether this primary handed over to its backup.
    package var handedOver: Bool { state.withLockedValue { $0.handedOver } }

    /// The server stops: services still waiting give up.
    package func cancel() {
        let waiters = state.withLockedValue { state in
            state.cancelled = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }

    /// Whether the sockets may be taken; a backup's services wait here, and give up when the service that waits is
    /// told to stop (its graceful shutdown), since the pair's service, which could cancel them, stops after them.
    private func waitUntilReleased() async -> Bool {
        await withGracefulShutdownHandler {
            await waitForRelease()
        } onGracefulShutdown: {
            self.cancel()
        }
    }

    private func waitForRelease() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now: Bool? = state.withLockedValue { state in
                if state.cancelled { return false }
                if state.released { return true }
                state.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private func duplicate(_ fd: Int32) throws -> Int32 {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw IOError(errnoCode: errno, reason: "dup") }
        return copy
    }
}

extension SharedSockets {
    /// A UDP socket bound to `address` as the listener binds it: SO_REUSEADDR, IPV6_V6ONLY for IPv6, SO_RCVBUF.
    package static func bindUDP(_ address: HostPort, receiveBufferBytes: Int) throws -> Int32 {
        let socketAddress = try SocketAddress(ipAddress: address.host, port: address.port)
        let family = socketAddress.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: Int32 = 1
        var size = Int32(clamping: receiveBufferBytes)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            // Lets [::]:162 and 0.0.0.0:162 be bound side by side.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = socketAddress.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "bind")
        }
        return fd
    }

    /// A listening Unix stream socket at `path` with `mode`; a stale socket file is replaced, a live one refused.
    package static func bindUnix(_ path: String, mode: UInt32, backlog: Int32 = 128) throws -> Int32 {
        try SocketPath.prepare(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        do {
            let address = try SocketAddress(unixDomainSocketPath: path)
            let bound = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
            guard bound == 0, listen(fd, backlog) == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
            guard chmod(path, mode_t(mode)) == 0 else {
                let code = errno
                throw SocketPathError(
                    fault: .init(code: code, file: path, info: "cannot set the socket's mode: \(String(cString: strerror(code)))"))
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }
}
