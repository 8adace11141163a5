import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// The primary's control socket (SPEC §14): accepts on a thread of its own, answers `hello` (a backup is welcomed
/// with the shared sockets, a second primary is refused, `trapmux pair status` and `takeover` are answered), and
/// hands a welcomed backup's connection to NIO for the checkpoints.
package final class PairControlServer: Sendable {
    /// What answering needs; all of it Sendable.
    struct Context: Sendable {
        let link: NIOLoopBound<PairLink>
        let sockets: SharedSockets
        let listen: [HostPort]
        let subscriberSocket: String
        /// Starts the graceful stop after an accepted `trapmux pair takeover`.
        let requestStop: @Sendable () -> Void
        let logger: Logger
    }

    private let fd: Int32
    private let path: String
    private let stopping = NIOLockedValueBox(false)
    private let finished = NIOLockedValueBox(false)

    /// Binds the control socket (mode 0600: whoever may connect may ask for a takeover) and starts accepting.
    static func start(path: String, context: Context) throws -> PairControlServer {
        let fd = try SharedSockets.bindUnix(path, mode: 0o600, backlog: 16)
        let server = PairControlServer(fd: fd, path: path)
        Thread.detachNewThread { server.acceptLoop(context) }
        context.logger.info("pair control socket ready", metadata: ["pair.control": "\(path)"])
        return server
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Stops accepting and removes the socket, so that a backup taking over can bind it. `shutdown` wakes the
    /// accepting thread's poll at once; waiting for it is bounded by half a second.
    func stop() {
        stopping.withLockedValue { $0 = true }
        shutdown(fd, Int32(SHUT_RDWR))
        unlink(path)
        for _ in 0..<500 where !finished.withLockedValue({ $0 }) {
            usleep(1_000)
        }
        close(fd)
    }

    private func acceptLoop(_ context: Context) {
        defer { finished.withLockedValue { $0 = true } }
        while !stopping.withLockedValue({ $0 }) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let flags = fcntl(client, F_GETFL)
            _ = fcntl(client, F_SETFL, flags & ~O_NONBLOCK)
            Self.serve(PairSocket(fd: client), context)
        }
    }

    /// Answers one connection's `hello`.
    private static func serve(_ socket: consuming PairSocket, _ context: Context) {
        socket.setTimeout(.seconds(2))
        do {
            let (type, body, descriptors) = try socket.readFrame()
            for descriptor in descriptors { close(descriptor) }
            var hello = body
            guard type == .hello else { throw PairSocketError(code: EPROTO, what: "expected hello, got \(type)") }
            let greeting = try PairControlProtocol.readHello(&hello)
            let link = context.link
            switch greeting.role {
            case .primary:
                try socket.send(
                    PairControlProtocol.text(
                        .refused, "a primary (pid \(getpid())) runs on this control socket; start the other process "
                            + "with --pair backup"))
            case .status:
                let json = try link.eventLoop.submit { link.value.statusJSON() }.wait()
                try socket.send(PairControlProtocol.text(.status, json))
            case .takeover:
                try answerTakeover(socket, context)
            case .backup:
                welcome(socket, greeting, context)
            }
        } catch let error as PairSocketError where error.code == ECONNRESET {
            // A liveness check (connect, then close): nothing was asked.
        } catch {
            context.logger.warning("pair control connection failed", metadata: ["error": "\(error)"])
        }
    }

    private static func answerTakeover(_ socket: borrowing PairSocket, _ context: Context) throws {
        let link = context.link
        let (accepted, backup) = try link.eventLoop.submit { (link.value.requestTakeover(), link.value.peerPID) }.wait()
        guard accepted else {
            try socket.send(PairControlProtocol.text(.refused, "no backup is paired with this primary; nothing can take over"))
            return
        }
        try socket.send(
            PairControlProtocol.text(.status, #"{"takeover":"started","primary_pid":\#(getpid()),"backup_pid":\#(backup)}"#))
        context.logger.notice("takeover requested; stopping and handing over", metadata: ["pair.backup_pid": "\(backup)"])
        context.requestStop()
    }
}

extension PairControlServer {
    /// What a primary answers a second one on `path` (why it refuses); nil when no primary answers there.
    package static func runningPrimary(at path: String) -> String? {
        guard SocketPath.isLive(path), let socket = try? PairSocket.connect(to: path) else { return nil }
        socket.setTimeout(.seconds(2))
        do {
            try socket.send(PairControlProtocol.hello(.init(role: .primary, pid: getpid(), version: trapmuxVersion)))
            var (_, body, descriptors) = try socket.readFrame()
            for descriptor in descriptors { close(descriptor) }
            return (try? PairControlProtocol.readText(&body)) ?? "a primary answers on \(path)"
        } catch {
            // Something accepts but does not answer (a stopped primary): still not a place for a second one.
            return "a process accepts on \(path) but does not answer (\(error)); is a primary stopped?"
        }
    }
}
