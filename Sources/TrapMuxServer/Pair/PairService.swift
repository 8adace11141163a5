import Foundation
import Logging
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// One process of a pair as a service (SPEC §14). A primary serves the control socket until it stops, then hands
/// over to its backup. A backup pairs with the primary (waiting for one as long as it takes), shadows it until it
/// ends, hangs or hands over, takes over, and from then on is a primary itself.
///
/// Between the subscriber socket and the listeners in the service group: it stops after the listeners (so the
/// hand-over follows the last receive batch) and before the subscribers drain (so the backup does not wait for it).
package struct PairService: Service {
    package let link: NIOLoopBound<PairLink>
    package let settings: PairSettings
    package let role: PairRole
    package let listen: [HostPort]
    package let subscriberSocket: String
    package let sockets: SharedSockets
    /// Starts this process's graceful stop (after an accepted `trapmux pair takeover`).
    package let requestStop: @Sendable () -> Void
    package let logger: Logger

    package init(
        link: NIOLoopBound<PairLink>, settings: PairSettings, role: PairRole, listen: [HostPort], subscriberSocket: String,
        sockets: SharedSockets, requestStop: @escaping @Sendable () -> Void, logger: Logger
    ) {
        self.link = link
        self.settings = settings
        self.role = role
        self.listen = listen
        self.subscriberSocket = subscriberSocket
        self.sockets = sockets
        self.requestStop = requestStop
        self.logger = logger
    }

    package func run() async throws {
        if role == .backup {
            guard await runBackup() else { return }
        }
        try await runPrimary()
    }

    private func runPrimary() async throws {
        let context = PairControlServer.Context(
            link: link, sockets: sockets, listen: listen, subscriberSocket: subscriberSocket, requestStop: requestStop,
            logger: logger)
        guard let server = await bindControl(context) else { return }
        try? await gracefulShutdown()
        // Unbound first, so that the backup taking over can bind the path.
        server.stop()
        let link = self.link
        try? await link.eventLoop.flatSubmit { link.value.handOver() }.get()
        link.eventLoop.execute { link.value.stop() }
    }

    /// Binds the control socket, retrying: after a takeover the old primary's socket may still be closing (a killed
    /// process's descriptors are released one by one, its control connection can end first). A primary without it
    /// still serves traps; only pairing waits. Nil when the server stops first.
    private func bindControl(_ context: PairControlServer.Context) async -> PairControlServer? {
        var reported = false
        let start = ContinuousClock.now
        while !Task.isShuttingDownGracefully {
            do {
                return try PairControlServer.start(path: settings.control, context: context)
            } catch {
                if !reported && ContinuousClock.now - start > .seconds(1) {
                    reported = true
                    logger.error(
                        "cannot bind the pair's control socket; no backup can pair until it can; retrying every heartbeat",
                        metadata: ["pair.control": "\(settings.control)", "error": "\(error)"])
                }
                let pause: Duration = ContinuousClock.now - start < .seconds(1) ? .milliseconds(10) : settings.heartbeat
                try? await Task.sleep(for: pause)
            }
        }
        return nil
    }

    /// Pairs, then waits for the takeover (pairing again when the primary lets this backup go); false when the
    /// server stops first.
    private func runBackup() async -> Bool {
        let link = self.link
        let stop: @Sendable () -> Void = { link.eventLoop.execute { link.value.stop() } }
        do {
            while true {
                let ended = try await cancelWhenGracefulShutdown { try await pair() }
                let end = try await withGracefulShutdownHandler {
                    try await ended.get()
                } onGracefulShutdown: {
                    stop()
                }
                if case .tookOver = end { return true }
            }
        } catch {
            stop()
            return false
        }
    }

    /// Connects to the primary until it welcomes this backup, every heartbeat while none answers; the future tells
    /// how shadowing it ends.
    private func pair() async throws -> EventLoopFuture<PairLink.ShadowEnd> {
        let link = self.link
        while true {
            try Task.checkCancellation()
            let attempt = await PairBackupConnector.connect(
                control: settings.control, listen: listen, sockets: sockets, logger: logger)
            switch attempt {
            case .paired(let fd, let welcome, let pid):
                let channel = try await PairFrameHandler.adopt(fd, link: link).get()
                return try await link.eventLoop.submit {
                    link.value.pairedWithPrimary(channel, welcome: welcome, pid: pid)
                }.get()
            case .unreachable:
                link.eventLoop.execute { link.value.primaryUnreachable() }
            case .refused(let reason):
                logger.warning("the primary refused this backup; retrying", metadata: ["pair.reason": "\(reason)"])
                try await Task.sleep(for: settings.deadline)
            }
            try await Task.sleep(for: settings.heartbeat)
        }
    }
}

/// The backup's side of the opening: `hello`, then `welcome` with the sockets (blocking, on a thread of its own).
enum PairBackupConnector {
    enum Attempt: Sendable {
        case paired(fd: Int32, welcome: PairControlProtocol.Welcome, pid: Int32)
        case unreachable
        case refused(String)
    }

    static func connect(control: String, listen: [HostPort], sockets: SharedSockets, logger: Logger) async -> Attempt {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: attempt(control: control, listen: listen, sockets: sockets, logger: logger))
            }
        }
    }

    private static func attempt(control: String, listen: [HostPort], sockets: SharedSockets, logger: Logger) -> Attempt {
        do {
            var socket = try PairSocket.connect(to: control)
            socket.setTimeout(.seconds(5))
            try socket.send(PairControlProtocol.hello(.init(role: .backup, pid: getpid(), version: trapmuxVersion)))
            let (type, body, descriptors) = try socket.readFrame()
            var frame = body
            guard type == .welcome else {
                for descriptor in descriptors { close(descriptor) }
                return .refused(type == .refused ? (try? PairControlProtocol.readText(&frame)) ?? "refused" : "\(type)")
            }
            let welcome = try PairControlProtocol.readWelcome(&frame)
            guard welcome.udp == listen.map(\.description), descriptors.count == listen.count + 1 else {
                for descriptor in descriptors { close(descriptor) }
                return .refused(
                    "the primary listens on \(welcome.udp) and passed \(descriptors.count) sockets; this backup is "
                        + "configured for \(listen.map(\.description)): give both the same listen list")
            }
            sockets.hold(descriptors, for: listen)
            let credited = socket.peerPID
            let pid = credited != 0 ? credited : welcome.pid
            return .paired(fd: socket.take(), welcome: welcome, pid: pid)
        } catch let error as PairSocketError {
            if error.code != ENOENT && error.code != ECONNREFUSED {
                logger.debug("connecting to the primary failed", metadata: ["error": "\(error)"])
            }
            return .unreachable
        } catch {
            logger.warning("the primary's answer broke the control protocol", metadata: ["error": "\(error)"])
            return .unreachable
        }
    }
}

/// The version a process says in `hello`.
package let trapmuxVersion = "0.1.0"
