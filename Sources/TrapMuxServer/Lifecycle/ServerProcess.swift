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
    /// again on SIGHUP.
    package static func serve(
        _ configuration: TrapMuxConfiguration, source: ConfigurationSource, names: MIBNames?, on eventLoop: EventLoop,
        logger: Logger
    ) async throws -> ProcessEvent.TerminationCause {
        let hub = try await eventLoop.submit {
            NIOLoopBound(
                FanOutHub(
                    eventLoop: eventLoop, processName: configuration.name, names: names,
                    listenPorts: Set(configuration.listen.map(\.port)), settings: configuration.subscribers,
                    logger: logger),
                eventLoop: eventLoop)
        }.get()
        let reporter = ProcessEventReporter(logger: logger, processName: configuration.name, hub: hub)
        try await eventLoop.submit {
            hub.value.onMemoryFull = { event in
                reporter.log(event)
                hub.value.publish(event, at: WallClock.microseconds())
            }
        }.get()

        let gate = StartupGate(parts: [.listeners, .subscriberSocket]) {
            reporter.report(.started)
        }
        let shutdown = ShutdownDeadline(drainTimeout: configuration.drainTimeout)
        let retry = BindRetry(interval: configuration.retryInterval, period: configuration.retryPeriod, reporter: reporter)
        let subscriberServer = SubscriberServer(
            settings: configuration.subscribers, hub: hub, retry: retry, shutdown: shutdown,
            gate: gate, logger: logger)
        let engine = SNMPEngineStart.start(configuration, reporter: reporter, logger: logger)
        let users = try SNMPEngineStart.userTable(configuration, engine: engine)
        let v3 = try await eventLoop.submit {
            let receiver = SNMPv3Receiver(users: users, engine: engine, logger: logger)
            hub.value.v3 = receiver
            return NIOLoopBound(receiver, eventLoop: eventLoop)
        }.get()
        let admission = try await eventLoop.submit {
            NIOLoopBound(
                TrapAdmission(communities: configuration.communities, rateLimit: configuration.rateLimit),
                eventLoop: eventLoop)
        }.get()
        let listener = TrapListener(
            addresses: configuration.listen, receiveBufferBytes: configuration.receiveBufferBytes,
            admission: admission, v3: v3, hub: hub, retry: retry, gate: gate, logger: logger)

        let opened = try await RelayDispatcher.open(
            configuration.relays, listen: configuration.listen, engine: engine, on: eventLoop, logger: logger)
        try await eventLoop.submit {
            if !opened.isEmpty {
                hub.value.relays = try RelayDispatcher(opened: opened, eventLoop: eventLoop, reporter: reporter)
            }
        }.get()

        // Trapped before anything can report the start, so a SIGHUP sent once the server is up never finds the
        // default action (which would end the process).
        let reloader = ConfigurationReloader(
            source: source, initial: configuration, signals: await UnixSignalsSequence(trapping: .sighup), hub: hub,
            admission: admission, v3: v3, engine: engine, reporter: reporter, logger: logger, shutdown: shutdown)

        // Started in this order and stopped in reverse: reloading stops first, then the listeners, then the queues
        // drain.
        let services = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: subscriberServer, failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: listener, failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: reloader, failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))

        var cause = ProcessEvent.TerminationCause.terminationRequest
        do {
            try await services.run()
        } catch {
            logger.error("stopping: \(error)")
            cause = .processAborted
        }
        try? await reporter.report(.terminated(cause)).get()
        try? await eventLoop.flatSubmit {
            hub.value.relays?.close()
            return hub.value.closeAll()
        }.get()
        return cause
    }
}
