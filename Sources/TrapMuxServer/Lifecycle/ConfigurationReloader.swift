#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import SNMPSecurity
import ServiceLifecycle
import UnixSignals
import TrapDecoder
import TrapEvents

/// Reloads the configuration on SIGHUP (SPEC §9): subscriber limits, communities, `[rate_limit]`, SNMPv3 users and
/// relays,
/// without losing a trap.
///
/// Each reload reads the same file with the same command-line overrides. Nothing changes unless the whole file is
/// valid and every new relay target is open; then everything is applied on the router's event loop in one step, so
/// each datagram sees either the old configuration or the new one, never a mix. The replaced relay targets still
/// send what they had queued before their sockets close. Keys that need a restart are reported, not applied.
package struct ConfigurationReloader: Service {
    /// The file and overrides `serve` started with.
    package let source: ConfigurationSource
    /// The configuration `serve` started with.
    package let initial: TrapMuxConfiguration
    /// SIGHUP, trapped before the server reports that it started, so that no early SIGHUP kills the process.
    package let signals: UnixSignalsSequence
    /// What a reload changes, confined to the router's event loop.
    package let parts: NIOLoopBound<Parts>
    /// This engine, for relay targets in v3 mode and the users' keys.
    package let engine: USMLocalEngine
    package let reporter: ProcessEventReporter
    package let logger: Logger

    /// Started here, as this service is the first to hear of a shutdown (see `ShutdownDeadline`).
    package let shutdown: ShutdownDeadline
    /// systemd, told `RELOADING=1` when a reload starts and `READY=1` when it is over (applied or not).
    package var notifier: SystemdNotifier? = nil
    /// The `STATUS=` of a ready server (where it receives, where subscribers connect).
    package var readiness = ""

    package func run() async throws {
        var running = initial
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                notifier?.reloading(status: "reloading the configuration (SIGHUP)")
                running = await reload(running)
                // Applied or refused, trapmux runs on: ready again. Which of the two is in the log.
                notifier?.ready(status: "\(readiness); SIGHUP handled (outcome in the log)")
            }
        } onGracefulShutdown: { [shutdown] in
            shutdown.start()
        }
    }

    /// One reload; returns the configuration the server runs on afterwards (`running` when nothing was applied).
    package func reload(_ running: TrapMuxConfiguration) async -> TrapMuxConfiguration {
        guard let file = source.file else {
            logger.warning("SIGHUP: serve was started without a configuration file (--config); nothing to reload")
            return running
        }
        logger.info("SIGHUP: reloading the configuration", metadata: ["config.file": "\(file)"])
        let candidate: Candidate
        let retiring: EventLoopFuture<RelayTarget.Retired>?
        do {
            candidate = try await prepare(file: file, running: running)
            do {
                retiring = try await apply(
                    candidate.configuration, relays: candidate.relays, users: candidate.users,
                    retireWithin: running.drainTimeout)
            } catch {
                RelayDispatcher.close(candidate.relays)
                throw Refusal("relay targets not set up: \(error)")
            }
        } catch let refusal as Refusal {
            logger.error(
                "configuration not reloaded, still running on the previous one: \(refusal.message)",
                metadata: refusal.metadata.merging(["config.file": "\(file)"]) { first, _ in first })
            return running
        } catch {
            logger.error("configuration not reloaded, still running on the previous one: \(error)")
            return running
        }
        let applied = candidate.configuration.reloadable(onto: running)
        logApplied(applied, from: candidate.configuration, running: running, file: file)
        // Awaited, so that a second SIGHUP does not start while the previous targets are still draining.
        if let retired = try? await retiring?.get() {
            report(retired)
        }
        return applied
    }

    /// A reload that cannot be applied: what to log.
    private struct Refusal: Error {
        let message: String
        var metadata: Logger.Metadata = [:]

        init(_ message: String, metadata: Logger.Metadata = [:]) {
            self.message = message
            self.metadata = metadata
        }
    }

    /// A configuration read and checked, with what applying it needs made off the event loop.
    private struct Candidate {
        let configuration: TrapMuxConfiguration
        /// The users' keys, derived here: milliseconds per user.
        let users: USMUserTable
        /// The relay targets, resolved and opened.
        let relays: [RelayDispatcher.OpenedTarget]
    }

    /// Reads the file, derives the users' keys and opens the relay targets; nothing changes yet.
    private func prepare(file: String, running: TrapMuxConfiguration) async throws -> Candidate {
        let configuration: TrapMuxConfiguration
        do {
            configuration = try source.load()
        } catch {
            if let code = error.readErrno {
                // The file itself is gone or unreadable: an I/O fault (SPEC §5), not a mistake in its text.
                reporter.report(
                    .ioError(
                        ProcessEvent.IOFault(
                            code: code, file: file,
                            info: "the configuration file cannot be read on SIGHUP (\(String(cString: strerror(code)))); "
                                + "still running on the previous configuration; restore the file and send SIGHUP again")))
            }
            throw Refusal(
                "\(error)",
                metadata: ["config.file": "\(error.file)", "config.line": "\(error.line.map(String.init) ?? "-")",
                           "config.key": "\(error.key ?? "-")"])
        }
        let users: USMUserTable
        do {
            users = try SNMPEngineStart.userTable(configuration, engine: engine)
        } catch {
            throw Refusal("\(ConfigurationError(file: file, line: error.line, key: error.key, message: error.message))")
        }
        do {
            // Checked against the addresses the listeners are bound to now: `listen` is not reloaded.
            let opened = try await RelayDispatcher.open(
                configuration.relays, listen: running.listen, engine: engine, on: parts.eventLoop, logger: logger)
            return Candidate(configuration: configuration, users: users, relays: opened)
        } catch let error as ConfigurationError {
            // Resolving knows no file; the person reading the log needs the one that names the target.
            throw Refusal("\(ConfigurationError(file: file, line: error.line, key: error.key, message: error.message))")
        } catch {
            throw Refusal("relay targets not opened: \(error)")
        }
    }

    private func logApplied(
        _ applied: TrapMuxConfiguration, from candidate: TrapMuxConfiguration, running: TrapMuxConfiguration,
        file: String
    ) {
        let restartOnly = candidate.restartOnlyChanges(comparedTo: running)
        if !restartOnly.isEmpty {
            logger.warning(
                "configuration keys changed that take effect only after a restart; keeping their running values",
                metadata: ["config.file": "\(file)", "config.keys": "\(restartOnly.joined(separator: ", "))"])
        }
        logger.info(
            "configuration reloaded",
            metadata: [
                "config.file": "\(file)", "relays": "\(applied.relays.count)",
                "subscribers.max": "\(applied.subscribers.maxSubscribers)",
                "subscribers.memory_budget_bytes": "\(applied.subscribers.memoryBudgetBytes)",
                "communities": "\(applied.communities.count)", "usm.users": "\(applied.usm.users.count)",
                "rate_limit": "\(applied.rateLimit.map { "\($0.rate)/s burst \($0.burst)" } ?? "off")",
            ])
    }

    /// Applies the reloadable keys on the router's loop in one step and starts retiring the relay targets it
    /// replaced; the future (nil when there were none) completes once they have closed.
    private func apply(
        _ configuration: TrapMuxConfiguration, relays opened: [RelayDispatcher.OpenedTarget], users: USMUserTable,
        retireWithin timeout: Duration
    ) async throws -> EventLoopFuture<RelayTarget.Retired>? {
        let parts = self.parts
        let reporter = self.reporter
        let eventLoop = parts.eventLoop
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        return try await eventLoop.submit {
            // Built first: it is the only step that can fail, and nothing may change if it does.
            let dispatcher = opened.isEmpty
                ? nil : try RelayDispatcher(opened: opened, eventLoop: eventLoop, reporter: reporter)
            let targets = parts.value
            let previous = targets.relays.replace(with: dispatcher)
            targets.subscribers.apply(configuration.subscribers)
            targets.connections.limit = configuration.subscribers.maxUnsubscribedConnections
            targets.connections.firstLineTimeout = configuration.subscribers.firstLineTimeout
            targets.admission.apply(
                communities: configuration.communities, rateLimit: configuration.rateLimit,
                trustedForwarders: configuration.trustedForwarders)
            targets.v3.replaceUsers(users)
            return previous?.retire(deadline: deadline)
        }.get()
    }

    /// Logs how the replaced relay targets ended.
    private func report(_ retired: RelayTarget.Retired) {
        if retired.unsent > 0 || retired.unacknowledged > 0 {
            logger.warning(
                "previous relay targets closed with traps they could not hand over",
                metadata: ["relay.unsent": "\(retired.unsent)", "relay.unacknowledged_informs": "\(retired.unacknowledged)"])
        } else {
            logger.info("previous relay targets closed after sending everything they had queued")
        }
    }
}

extension ConfigurationReloader {
    /// The parts of the running server that a reload changes.
    package struct Parts {
        package let relays: RelaySink
        package let subscribers: SubscriberSink
        package let connections: ConnectionAdmission
        package let admission: TrapAdmission
        package let v3: SNMPv3Receiver

        package init(
            relays: RelaySink, subscribers: SubscriberSink, connections: ConnectionAdmission, admission: TrapAdmission,
            v3: SNMPv3Receiver
        ) {
            self.relays = relays
            self.subscribers = subscribers
            self.connections = connections
            self.admission = admission
            self.v3 = v3
        }
    }
}
