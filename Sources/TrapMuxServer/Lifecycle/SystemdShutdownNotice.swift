import ServiceLifecycle
import TrapDecoder
import TrapEvents

/// Tells systemd `STOPPING=1` as soon as a shutdown begins. The last service of the group, so the first that the
/// group tells to stop, before the listeners close and the queues drain.
package struct SystemdShutdownNotice: Service {
    package let notifier: SystemdNotifier

    package init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    package func run() async throws {
        try? await gracefulShutdown()
        notifier.stopping(status: "stopping: listeners closing, subscriber queues draining")
    }
}
