import Logging
import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// The SNMPv3 side of the receive path (SPEC §3a): USM processing with trapmux as an SNMP engine, Reports for
/// discovery probes and reportable failures, Responses to accepted informs, and the usmStats counters.
///
/// Confined to the listeners' event loop, shared by every listener channel (one user table, one cache of remote
/// engines' clocks, one salt counter). A message that fails is counted under its counter, logged at most once per
/// source address and user per minute, and never delivered or relayed.
package final class SNMPv3Receiver {
    /// What became of one datagram.
    package enum Outcome {
        /// Authentic, timely and decrypted: deliver it (and, for an inform, answer it once it is accepted).
        case accepted(USMIncomingMessage)
        /// Refused; `report` is the Report-PDU to send back, when the sender asked for one and the RFCs have it.
        case refused(USMError, report: [UInt8]?)
    }

    private var processor: USMProcessor
    private var salt = USMSaltCounter()
    private let logger: Logger
    private var logThrottle = ReportThrottle<LogKey>(interval: .minutes(1))
    /// Failures by counter (usmStats*, snmpInvalidMsgs, …), as `stats` and Reports show them.
    private(set) var counters: [USMError.Kind: UInt32] = [:]
    /// Reports sent, and Responses to v3 informs.
    private(set) var reportsSent: UInt64 = 0

    private struct LogKey: Hashable {
        let source: [UInt8]
        let user: [UInt8]
    }

    /// A receiver for `users`, as the engine `engine`.
    package init(users: USMUserTable, engine: USMLocalEngine, logger: Logger) {
        processor = USMProcessor(users: users, localEngine: engine)
        self.logger = logger
    }

    /// This engine: snmpEngineID, snmpEngineBoots, the clock of snmpEngineTime.
    package var engine: USMLocalEngine { processor.localEngine }

    /// The remote engines' clocks (RFC 3414 §2.3), which a pair's primary checkpoints to its backup.
    package var remoteEngines: USMRemoteEngineCache {
        get { processor.remoteEngines }
        set { processor.remoteEngines = newValue }
    }

    /// Takes a reloaded configuration's users (their keys derived off the loop); the remote engines' clocks stay.
    package func replaceUsers(_ users: USMUserTable) {
        processor.users = users
    }

    /// Runs `datagram` (an SNMPv3 message from `source`) through USM.
    package func receive(_ datagram: ArraySlice<UInt8>, from source: SourceAddress) -> Outcome {
        let now = MonotonicSeconds.now()
        do {
            return .accepted(try processor.process(datagram, now: now))
        } catch {
            let count = (counters[error.kind] ?? 0) &+ 1
            counters[error.kind] = count
            log(error, datagram: datagram, from: source)
            guard error.isReportable else { return .refused(error, report: nil) }
            let report = processor.report(for: error, counterValue: count, now: now, salt: &salt)
            if report != nil { reportsSent += 1 }
            return .refused(error, report: report)
        }
    }

    /// The authenticated (and, at authPriv, encrypted) Response that acknowledges an accepted inform; nil for a trap.
    package func response(to incoming: USMIncomingMessage) -> [UInt8]? {
        try? processor.response(to: incoming, now: MonotonicSeconds.now(), salt: &salt)
    }

    private func log(_ error: USMError, datagram: ArraySlice<UInt8>, from source: SourceAddress) {
        let user = (try? SNMPv3Envelope(decoding: datagram))?.header.usm.map { Array($0.userName) } ?? []
        guard logThrottle.allows(LogKey(source: source.ip, user: user)) else { return }
        logger.warning(
            "SNMPv3 notification refused (logged once per source address and user per minute; all are counted)",
            metadata: [
                "trap.source": "\(source.description)", "usm.user": "\(String(decoding: user, as: UTF8.self))",
                "usm.counter": "\(error.kind.rawValue)", "error.offset": "\(error.offset)",
                "error.reason": "\(error.reason)",
            ])
    }
}
