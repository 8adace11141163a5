import ArgumentParser
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SNMPSecurity
import UnixSignals

/// `trapmux serve`: receive traps and deliver them to subscribers until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the trap multiplexer (the default command).",
        discussion: "Exit status: 0 after SIGTERM/SIGINT, 1 when binding kept failing, 2 for a bad configuration.")

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Log line format on standard error: text or json (overrides log_format).")
    var logFormat: LogFormat?

    func run() async throws {
        let configuration: TrapMuxConfiguration
        do {
            configuration = try options.load()
        } catch {
            printError("trapmux: \(error)")
            throw ExitCode(2)
        }
        let logger = Logger.trapmux(level: configuration.logLevel, format: logFormat ?? configuration.logFormat)
        if configuration.holdsPassphrases, let file = options.source.file {
            PassphraseFileCheck.warnIfReadableByOthers(file, logger: logger)
        }
        let names = MIBLoading.load(configuration.mibs, logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let cause: ProcessEvent.TerminationCause
        do {
            cause = try await Self.serve(
                configuration, source: options.source, names: names, on: group.next(), logger: logger)
        } catch let error as ConfigurationError {
            printError("trapmux: \(error)")
            try? await group.shutdownGracefully()
            throw ExitCode(2)
        }
        try? await group.shutdownGracefully()
        if cause != .terminationRequest {
            throw ExitCode(1)
        }
    }

    /// Runs the server until it stops; returns why it stopped (after event 101 was delivered). `source` is read
    /// again on SIGHUP.
    static func serve(
        _ configuration: TrapMuxConfiguration, source: ConfigurationSource, names: MIBTree?, on eventLoop: EventLoop,
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
