import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// What `ServerProcess` adds for a pair (SPEC §14): the shared sockets, what the start gate announces, the pair's
/// link on the loop and its service. A server without `--pair` gets none of it (its start event is 102).
package struct PairWiring: Sendable {
    package let role: PairRole?
    /// The shared sockets; nil binds as a single server does.
    package let sockets: SharedSockets?
    package let announcement: PairAnnouncement
    /// Stops the service group after an accepted `trapmux pair takeover`.
    package let stopper = GroupStopper()

    package init(_ configuration: TrapMuxConfiguration, reporter: ProcessEventReporter) {
        role = configuration.pair.role
        sockets = role.map { SharedSockets(released: $0 == .primary) }
        announcement = PairAnnouncement(reporter: reporter)
    }

    /// The pair's link on the loop (nil for a single server).
    func link(
        _ configuration: TrapMuxConfiguration, router: EventRouter, ring: EventRing, relays: RelaySink,
        v3: SNMPv3Receiver, logger: Logger
    ) -> PairLink? {
        guard let role, let sockets else { return nil }
        return PairLink(
            settings: configuration.pair, role: role, router: router, ring: ring, checkpoint: CheckpointSink(),
            relays: relays, v3: v3, sockets: sockets, announcement: announcement, logger: logger)
    }

    /// The pair's service, to run between the subscriber socket and the listeners (none for a single server).
    func service(
        _ configuration: TrapMuxConfiguration, link: NIOLoopBound<PairLink>?, logger: Logger
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        guard let role, let sockets, let link else { return [] }
        let stopper = self.stopper
        let service = PairService(
            link: link, settings: configuration.pair, role: role, listen: configuration.listen,
            subscriberSocket: configuration.subscribers.socket, sockets: sockets, requestStop: { stopper.stop() },
            logger: logger)
        return [.init(service: service, failureTerminationBehavior: .gracefullyShutdownGroup)]
    }
}

/// Lets a service stop its own group (a planned takeover stops the primary like SIGTERM does).
package final class GroupStopper: Sendable {
    private let group = NIOLockedValueBox<ServiceGroup?>(nil)

    package init() {}

    func set(_ group: ServiceGroup) {
        self.group.withLockedValue { $0 = group }
    }

    func stop() {
        guard let group = group.withLockedValue({ $0 }) else { return }
        Task { await group.triggerGracefulShutdown() }
    }
}

extension ServerProcess {
    /// A second primary on a live control socket: 103 with the running primary's answer, then 101 Process-aborted.
    static func refuseSecondPrimary(
        _ configuration: TrapMuxConfiguration, _ refusal: String, reporter: ProcessEventReporter
    ) async -> ProcessEvent.TerminationCause {
        let fault = ProcessEvent.IOFault(
            code: EADDRINUSE, file: configuration.pair.control,
            info: "refused to start as a second primary: \(refusal)")
        try? await reporter.report(.ioError(fault)).get()
        try? await reporter.report(.terminated(.processAborted)).get()
        return .processAborted
    }
}
