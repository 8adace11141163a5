import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SNMPSecurity
import UnixSignals
import TrapDecoder
import TrapEvents
import TrapMuxServer
import MIBLookup

/// `trapmux serve`: receive traps and deliver them to subscribers until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the trap multiplexer (the default command).",
        discussion: ExitStatus.summary(
            ok: "after SIGTERM or SIGINT",
            runtimeFailure: """
                when a listener or the subscriber socket could not be bound within retry_period, or the event loop \
                stalled past the watchdog (101 Loop-timer-timeout)
                """,
            configurationError: "a configuration error (FILE:LINE: KEY: problem)"))

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Log line format on standard error: text or json (overrides log_format).")
    var logFormat: LogFormat?

    @Option(help: "Run as one process of a pair: primary or backup (overrides [pair] role; SPEC §14).")
    var pair: PairRole?

    @Option(help: "The pair's control socket (overrides [pair] control).")
    var control: String?

    func run() async throws {
        var configuration: TrapMuxConfiguration
        do {
            configuration = try options.load()
            configuration.pair.role = pair ?? configuration.pair.role
            configuration.pair.control = control ?? configuration.pair.control
        } catch {
            printError("trapmux: \(error)")
            throw ExitStatus.configurationError
        }
        let logger = Logger.trapmux(level: configuration.logLevel, format: logFormat ?? configuration.logFormat)
        if configuration.holdsPassphrases, let file = options.source.file {
            PassphraseFileCheck.warnIfReadableByOthers(file, logger: logger)
        }
        let names = configuration.mibs.loadTree(logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let cause: ProcessEvent.TerminationCause
        do {
            cause = try await ServerProcess.serve(
                configuration, source: options.source, names: names, on: group.next(),
                environment: ServeEnvironment(version: buildVersion, variables: ProcessInfo.processInfo.environment),
                logger: logger)
        } catch let error as ConfigurationError {
            printError("trapmux: \(error)")
            try? await group.shutdownGracefully()
            throw ExitStatus.configurationError
        }
        try? await group.shutdownGracefully()
        // A stop asked for (SIGTERM, or a pair's planned takeover) is a success.
        if cause != .terminationRequest && cause != .processStopped {
            throw ExitStatus.runtimeFailure
        }
    }
}
