import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// Retries a failing bind every `interval` for `period`, reporting each failure as event 103 (SPEC §5).
package struct BindRetry: Sendable {
    /// Binding kept failing for the whole retry period.
    package struct GaveUp: Error, CustomStringConvertible {
        package let what: String
        package var description: String { "gave up binding \(what) after the retry period" }
    }

    package let interval: Duration
    package let period: Duration
    package let reporter: ProcessEventReporter

    /// Runs `bind` until it succeeds, the period is over (throws `GaveUp`), or the task is cancelled.
    package func run<T: Sendable>(_ what: String, _ bind: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: period)
        while true {
            do {
                return try await bind()
            } catch {
                let retrying = clock.now.advanced(by: interval) <= deadline
                var fault = Self.fault(for: error, what: what)
                fault.info += retrying ? "; retrying every \(Self.text(interval)) for \(Self.text(period))" : "; giving up"
                reporter.report(.ioError(fault))
                guard retrying else { throw GaveUp(what: what) }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// The 103 fields for a failed bind: errno, the address or path, and what to do.
    package static func fault(for error: Error, what: String) -> ProcessEvent.IOFault {
        if let fault = error as? SocketPathError {
            return fault.fault
        }
        let code = (error as? IOError)?.errnoCode ?? 0
        let hint: String
        switch code {
        case EACCES:
            hint = "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE "
                + "(setcap cap_net_bind_service+ep on the trapmux binary), or listen on a port of 1024 or more"
        case EADDRINUSE:
            hint = "address in use: another process (snmptrapd?) holds it; stop it or choose another port"
        case EADDRNOTAVAIL:
            hint = "no local interface has this address; check the listen list"
        case EAFNOSUPPORT:
            hint = "this address family is not available (IPv6 disabled?); remove the address from listen"
        default:
            hint = "\(error)"
        }
        return ProcessEvent.IOFault(code: code, file: what, info: "cannot bind: \(hint)")
    }

    package static func text(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds >= 3600 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 60 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        if seconds >= 1 { return "\(seconds)s" }
        return "\(duration.components.attoseconds / 1_000_000_000_000_000)ms"
    }
}
