import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// The subscriber socket as a service: binds the Unix socket (retrying per the bind policy), checks each
/// peer's credentials, and on shutdown stops accepting and lets the queues drain until `drain_timeout` after
/// SIGTERM.
package struct SubscriberServer: Service {
    package let settings: TrapMuxConfiguration.SubscriberSettings
    /// What each connection works with, confined to the router's event loop.
    package let parts: NIOLoopBound<Parts>
    package let retry: BindRetry
    /// When the queues must have drained once the server is stopping.
    package let shutdown: ShutdownDeadline
    package let gate: StartupGate
    /// A pair's shared sockets (SPEC §14); nil binds through NIO as a single server.
    package let sockets: SharedSockets?
    package let logger: Logger

    package init(
        settings: TrapMuxConfiguration.SubscriberSettings, parts: NIOLoopBound<Parts>, retry: BindRetry,
        shutdown: ShutdownDeadline, gate: StartupGate, sockets: SharedSockets? = nil, logger: Logger
    ) {
        self.settings = settings
        self.parts = parts
        self.retry = retry
        self.shutdown = shutdown
        self.gate = gate
        self.sockets = sockets
        self.logger = logger
    }

    package func run() async throws {
        let path = settings.socket
        // A pair's backup waits here until it takes over; nil when the server stops first (then this service still
        // ends only when told to, as the group expects).
        guard let channel = try await retry.run(path, { try await bind(path) }) else {
            try? await gracefulShutdown()
            return
        }
        logger.info("subscriber socket ready", metadata: ["socket.path": "\(path)", "socket.mode": "\(String(settings.socketMode, radix: 8))"])
        await gate.ready(.subscriberSocket)

        try? await gracefulShutdown()

        try? await channel.close()
        // A pair's other process holds the same listening socket: its path must stay. A primary that handed over
        // does not wait for its subscribers: what they have not read is in the new primary's ring, where they
        // resume sooner.
        if sockets == nil {
            unlink(path)
        }
        if sockets?.handedOver != true {
            await drain()
        }
    }

    /// SO_SNDBUF of each subscriber connection.
    static let sendBufferBytes: SocketOptionValue = 1 << 20

    private func bind(_ path: String) async throws -> Channel? {
        let parts = self.parts
        let allowedUIDs = settings.allowedUIDs
        let allowedGIDs = settings.allowedGIDs
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: parts.eventLoop)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 * 1024, high: 256 * 1024))
            // One receive batch (up to 256 traps, 1.1 kB each as JSON with every field) must fit the socket while the
            // reader waits for the CPU, as it does when it shares a core with the server: with the default 208 KiB a
            // busy batch overflowed it, and every line after that was copied into the subscriber's queue. The kernel
            // caps the size at net.core.wmem_max.
            .childChannelOption(.socketOption(.so_sndbuf), value: SubscriberServer.sendBufferBytes)
            // Clients such as `echo '{"subscribe":{}}' | socat - UNIX-CONNECT:...` close their sending side
            // after the request and go on reading.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors (EMFILE/ENFILE), accept would fail at once again: wait instead of spinning.
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
                            logger.warning(
                                "cannot accept subscriber connections; retrying in 1 s",
                                metadata: ["error": "\(error)"])
                            return .seconds(1)
                        })
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let access = PeerAccess(uids: allowedUIDs, gids: allowedGIDs, logger: logger)
                    let value = parts.value
                    try channel.pipeline.syncOperations.addHandler(
                        SubscriberHandler(
                            sink: value.sink, admission: value.admission, router: value.router, stats: value.stats,
                            access: access))
                }
            }
        if let sockets {
            guard let fd = try await sockets.subscriberSocket(path: path, mode: settings.socketMode) else { return nil }
            return try await bootstrap.withBoundSocket(fd).get()
        }
        try SocketPath.prepare(path)
        let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        guard chmod(path, mode_t(settings.socketMode)) == 0 else {
            let code = errno
            try? await channel.close()
            throw SocketPathError(
                fault: .init(code: code, file: path, info: "cannot set the socket's mode: \(String(cString: strerror(code)))"))
        }
        return channel
    }

    /// Waits until every subscriber queue is empty, or the shutdown deadline passes.
    private func drain() async {
        let clock = ContinuousClock()
        let deadline = shutdown.instant
        let parts = self.parts
        while clock.now < deadline {
            let drained = (try? await parts.eventLoop.submit { parts.value.sink.isDrained }.get()) ?? true
            if drained { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        logger.warning("subscriber queues not drained within drain_timeout; the rest is dropped at exit")
    }
}

/// Who may subscribe: the peer-credential allow-lists (SO_PEERCRED).
package struct PeerAccess: Sendable {
    package let uids: [UInt32]
    package let gids: [UInt32]
    package let logger: Logger

    /// Peers allowed by uid or gid; both lists empty: anyone the socket file's mode lets in.
    package init(uids: [UInt32], gids: [UInt32], logger: Logger) {
        self.uids = uids
        self.gids = gids
        self.logger = logger
    }

    /// Whether any check is needed.
    package var isRestricted: Bool { !uids.isEmpty || !gids.isEmpty }

    /// Succeeds with nil when the peer may subscribe, else with the error to send before closing.
    package func check(_ channel: Channel) -> EventLoopFuture<SubscriberProtocol.RequestError?> {
        guard isRestricted else { return channel.eventLoop.makeSucceededFuture(nil) }
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(.init(code: "forbidden", message: "peer credentials unavailable"))
        }
        let peer: EventLoopFuture<PeerCredential> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        let logger = self.logger
        let uids = self.uids
        let gids = self.gids
        return peer.map { credentials in
            if uids.contains(credentials.uid) || gids.contains(credentials.gid) {
                return nil
            }
            logger.warning(
                "subscriber refused by allowed_uids/allowed_gids",
                metadata: ["peer.uid": "\(credentials.uid)", "peer.gid": "\(credentials.gid)", "peer.pid": "\(credentials.pid)"])
            return .init(code: "forbidden", message: "uid \(credentials.uid) / gid \(credentials.gid) may not subscribe")
        }
    }
}

/// The layout of Linux's `struct ucred` (pid, uid, gid), which SO_PEERCRED fills; Glibc's Swift overlay
/// does not export `ucred` itself.
package struct PeerCredential: Sendable {
    package var pid: Int32 = 0
    package var uid: UInt32 = 0
    package var gid: UInt32 = 0
}

extension SubscriberServer {
    /// The server's parts a subscriber connection talks to.
    package struct Parts {
        package let sink: SubscriberSink
        package let admission: ConnectionAdmission
        package let router: EventRouter
        package let stats: StatsReport

        package init(sink: SubscriberSink, admission: ConnectionAdmission, router: EventRouter, stats: StatsReport) {
            self.sink = sink
            self.admission = admission
            self.router = router
            self.stats = stats
        }
    }
}
