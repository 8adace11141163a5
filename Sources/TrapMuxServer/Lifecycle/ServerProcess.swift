import Logging
import NIOCore
import NIOPosix
import SNMPSecurity
import ServiceLifecycle
import TrapDecoder
import TrapEvents
import UnixSignals

/// The whole server (SPEC §2–§9): the services it runs and the order in which they start and stop.
package enum ServerProcess {
    /// Runs the server until it stops; returns why it stopped (after event 101 was delivered). `source` is read
    /// again on SIGHUP; `environment` brings systemd's notification socket and the build's version.
    package static func serve(
        _ configuration: TrapMuxConfiguration, source: ConfigurationSource, names: MIBNames?, on eventLoop: EventLoop,
        environment: ServeEnvironment, logger: Logger
    ) async throws -> ProcessEvent.TerminationCause {
        let renderer = EventRenderer(processName: configuration.name, names: names)
        let router = try await eventLoop.submit {
            NIOLoopBound(EventRouter(eventLoop: eventLoop, renderer: renderer), eventLoop: eventLoop)
        }.get()
        let reporter = ProcessEventReporter(logger: logger, processName: configuration.name, router: router)
        if configuration.pair.role == .primary, let refusal = PairControlServer.runningPrimary(at: configuration.pair.control) {
            return await refuseSecondPrimary(configuration, refusal, reporter: reporter)
        }
        let pair = PairWiring(configuration, reporter: reporter)
        let engine = SNMPEngineStart.start(configuration, reporter: reporter, logger: logger)
        let users = try SNMPEngineStart.userTable(configuration, engine: engine)
        let opened = try await RelayDispatcher.open(
            configuration.relays, listen: configuration.listen, engine: engine, on: eventLoop, logger: logger)
        let parts = try await eventLoop.submit {
            let made = try Parts(
                configuration, router: router.value, relays: opened, users: users, engine: engine, reporter: reporter,
                pair: pair, logger: logger)
            return BoundParts(
                all: NIOLoopBound(made, eventLoop: eventLoop),
                subscriberSocket: NIOLoopBound(made.subscriberSocket, eventLoop: eventLoop),
                listener: NIOLoopBound(made.listener, eventLoop: eventLoop),
                reloadable: NIOLoopBound(made.reloadable, eventLoop: eventLoop),
                metrics: NIOLoopBound(made.metrics, eventLoop: eventLoop),
                link: made.link.map { NIOLoopBound($0, eventLoop: eventLoop) })
        }.get()

        let services = try await Self.services(
            configuration, source: source, parts: parts, engine: engine, reporter: reporter, pair: pair,
            environment: environment, logger: logger)
        pair.stopper.set(services)
        var cause = ProcessEvent.TerminationCause.terminationRequest
        do {
            try await services.run()
        } catch {
            logger.error("stopping: \(error)")
            cause = .processAborted
        }
        let (planned, handedOver) = try await eventLoop.submit {
            (parts.all.value.link?.plannedTakeover ?? false, parts.all.value.link?.handedOver ?? false)
        }.get()
        if planned && cause == .terminationRequest { cause = .processStopped }
        // A primary that handed over reported its 101 before the hand-over, in the sequence the backup continues.
        if !handedOver {
            try? await reporter.report(.terminated(cause)).get()
        }
        try? await eventLoop.flatSubmit {
            parts.all.value.relays.close()
            return parts.all.value.subscribers.closeAll()
        }.get()
        return cause
    }

    /// The services, started in this order and stopped in reverse: systemd hears of the shutdown first, reloading
    /// stops, then the metrics endpoint and the listeners, then the queues drain; the loop watchdog stops last.
    private static func services(
        _ configuration: TrapMuxConfiguration, source: ConfigurationSource, parts: BoundParts, engine: USMLocalEngine,
        reporter: ProcessEventReporter, pair: PairWiring, environment: ServeEnvironment, logger: Logger
    ) async throws -> ServiceGroup {
        let notifier = environment.notifier
        let readiness = Self.readiness(configuration)
        // 102, or 106 when a backup took over and the shared sockets are read again.
        let announcement = pair.announcement
        let gate = StartupGate(parts: [.listeners, .subscriberSocket]) {
            // systemd hears READY=1 once the event is out, so a unit ordered after trapmux finds it announced.
            reporter.report(announcement.startEvent).whenComplete { _ in notifier?.ready(status: readiness) }
        }
        let shutdown = ShutdownDeadline(drainTimeout: configuration.drainTimeout)
        let retry = BindRetry(interval: configuration.retryInterval, period: configuration.retryPeriod, reporter: reporter)
        let subscriberServer = SubscriberServer(
            settings: configuration.subscribers, parts: parts.subscriberSocket, retry: retry, shutdown: shutdown,
            gate: gate, sockets: pair.sockets, logger: logger)
        let listener = TrapListener(
            addresses: configuration.listen, receiveBufferBytes: configuration.receiveBufferBytes,
            parts: parts.listener, retry: retry, gate: gate, sockets: pair.sockets, logger: logger)
        // Trapped before anything can report the start, so a SIGHUP sent once the server is up never finds the
        // default action (which would end the process).
        let reloader = ConfigurationReloader(
            source: source, initial: configuration, signals: await UnixSignalsSequence(trapping: .sighup),
            parts: parts.reloadable, engine: engine, reporter: reporter, logger: logger, shutdown: shutdown,
            notifier: notifier, readiness: readiness)
        let watchdog = LoopWatchdog(
            eventLoop: parts.all.eventLoop, limit: configuration.watchdog, notifier: notifier,
            systemdInterval: environment.systemdWatchdogInterval, reporter: reporter, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [Self.stoppingTheGroup(watchdog), Self.stoppingTheGroup(subscriberServer)]
            + pair.service(configuration, link: parts.link, logger: logger)
        var later: [any Service] = [listener]
        if let address = configuration.metrics.listen {
            let endpoint = MetricsEndpoint(
                sources: parts.metrics, listenPorts: Set(configuration.listen.map(\.port)), reporter: reporter,
                exporter: MetricsExporter(version: environment.version, startTime: Double(WallClock.microseconds()) / 1e6))
            later.append(MetricsServer(address: address, endpoint: endpoint, retry: retry, logger: logger))
        }
        later.append(reloader)
        if environment.loopStallSignal {
            later.append(
                LoopStallTrigger(
                    eventLoop: parts.all.eventLoop, signals: await UnixSignalsSequence(trapping: .sigusr2), logger: logger))
        }
        if let notifier {
            later.append(SystemdShutdownNotice(notifier: notifier))
        }
        services += later.map(Self.stoppingTheGroup)
        return ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }

    /// A service whose end (or failure) stops the whole group: no part of the server runs without the others.
    private static func stoppingTheGroup(_ service: any Service) -> ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: service, failureTerminationBehavior: .gracefullyShutdownGroup)
    }

    /// The `STATUS=` line systemd shows once trapmux is ready: where it receives and where subscribers connect.
    private static func readiness(_ configuration: TrapMuxConfiguration) -> String {
        var status = "receiving traps on \(configuration.listen.map(\.description).joined(separator: ", "))"
        status += "; subscribers at \(configuration.subscribers.socket)"
        if let metrics = configuration.metrics.listen { status += "; metrics at http://\(metrics)/metrics" }
        return status
    }

    /// The parts, bound to their loop, as each service takes them.
    private struct BoundParts: Sendable {
        let all: NIOLoopBound<Parts>
        let subscriberSocket: NIOLoopBound<SubscriberServer.Parts>
        let listener: NIOLoopBound<TrapListener.Parts>
        let reloadable: NIOLoopBound<ConfigurationReloader.Parts>
        let metrics: NIOLoopBound<MetricsSnapshot.Sources>
        let link: NIOLoopBound<PairLink>?
    }

    /// Everything that lives on the event loop, made there, and the views each service gets of it.
    private struct Parts {
        let router: EventRouter
        let subscribers: SubscriberSink
        let connections: ConnectionAdmission
        let relays: RelaySink
        let admission: TrapAdmission
        let statistics: ReceiveStatistics
        let v3: SNMPv3Receiver
        let stats: StatsReport
        /// Events kept for subscribers that resume (`resume_after`).
        let ring: EventRing
        /// The pair's part on the loop, when this process is one of a pair.
        let link: PairLink?

        init(
            _ configuration: TrapMuxConfiguration, router: EventRouter, relays opened: [RelayDispatcher.OpenedTarget],
            users: USMUserTable, engine: USMLocalEngine, reporter: ProcessEventReporter, pair: PairWiring,
            logger: Logger
        ) throws {
            self.router = router
            subscribers = SubscriberSink(eventLoop: router.eventLoop, limits: configuration.subscribers, logger: logger)
            subscribers.reportMemoryFull = { [router] event in
                reporter.log(event)
                router.route(event, at: WallClock.microseconds())
            }
            connections = ConnectionAdmission(
                limit: configuration.subscribers.maxUnsubscribedConnections,
                firstLineTimeout: configuration.subscribers.firstLineTimeout)
            relays = RelaySink(
                dispatcher: opened.isEmpty
                    ? nil : try RelayDispatcher(opened: opened, eventLoop: router.eventLoop, reporter: reporter))
            admission = TrapAdmission(
                communities: configuration.communities, rateLimit: configuration.rateLimit,
                trustedForwarders: configuration.trustedForwarders)
            statistics = ReceiveStatistics()
            v3 = SNMPv3Receiver(users: users, engine: engine, logger: logger)
            stats = StatsReport(
                processName: configuration.name, listenPorts: Set(configuration.listen.map(\.port)), router: router,
                receive: statistics, subscribers: subscribers, connections: connections, relays: relays, v3: v3)
            ring = EventRing(capacity: configuration.pair.ring, renderer: router.renderer)
            subscribers.ring = ring
            link = pair.link(
                configuration, router: router, ring: ring, relays: relays, v3: v3, logger: logger)
            stats.pair = link
            // The checkpoints go first: a batch is written to the backup before anyone else publishes it. A
            // backup's ring is filled from its primary's checkpoints until it takes over.
            if let link { router.add(link.checkpoint) }
            if link?.state.isPrimary ?? true { router.add(ring) }
            router.add(subscribers)
            router.add(relays)
            // After the relays: at each batch's end it notes how far they got.
            if let link { router.add(link) }
        }

        var subscriberSocket: SubscriberServer.Parts {
            SubscriberServer.Parts(sink: subscribers, admission: connections, router: router, stats: stats)
        }

        var listener: TrapListener.Parts {
            TrapListener.Parts(router: router, relays: relays, statistics: statistics, admission: admission, v3: v3)
        }

        var metrics: MetricsSnapshot.Sources {
            MetricsSnapshot.Sources(
                receive: statistics, subscribers: subscribers, connections: connections, relays: relays, v3: v3,
                link: link)
        }

        var reloadable: ConfigurationReloader.Parts {
            ConfigurationReloader.Parts(
                relays: relays, subscribers: subscribers, connections: connections, admission: admission, v3: v3)
        }
    }
}
