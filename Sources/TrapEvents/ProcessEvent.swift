import TrapDecoder

/// trapmux's reports about itself, events 101–106, worded as SPEC §5 and the operator-message reference say.
package enum ProcessEvent: Sendable, Equatable {
    /// 101: the process is stopping.
    case terminated(TerminationCause)
    /// 102: every listener is bound and the subscriber socket accepts.
    case started
    /// 103: an I/O operation failed (bind, socket path, config file, relay send).
    case ioError(IOFault)
    /// 104: the memory budget for queued events is exhausted and events are being shed.
    case memoryFull(shed: Int, queuedBytes: Int, budgetBytes: Int)
    /// 105: an internal invariant failed.
    case internalError(String)
    /// 102 of a pair's backup: paired with its primary, holding the shared sockets, reading nothing (SPEC §14).
    case startedAsBackup
    /// 106: the backup of a process pair has taken over from its primary (SPEC §14).
    case takeover(Takeover)

    /// Why the process stopped (the reference's change-reason values that trapmux uses).
    package enum TerminationCause: String, Sendable {
        case terminationRequest = "Termination-request"
        case processStopped = "Process-stopped"
        case processAborted = "Process-aborted"
        case memorySpaceExhausted = "Memory-Space-Exhausted"
        case loopTimerTimeout = "Loop-timer-timeout"
    }

    /// An I/O failure: the errno, a subcode, what it was about, and what a person can do.
    package struct IOFault: Sendable, Equatable {
        /// errno of the failed call (0 when none applies).
        package var code: Int32
        /// A further code; 0 unless a subsystem gives one.
        package var subcode: Int32 = 0
        /// The address, path or file concerned.
        package var file: String
        /// What happened and what to do about it.
        package var info: String

        /// A fault with its errno, subcode, what it concerns and what to do.
        package init(code: Int32, subcode: Int32 = 0, file: String, info: String) {
            self.code = code
            self.subcode = subcode
            self.file = file
            self.info = info
        }
    }

    /// The event number, 101–106.
    package var number: Int {
        switch self {
        case .terminated: return 101
        case .started: return 102
        case .ioError: return 103
        case .memoryFull: return 104
        case .internalError: return 105
        case .startedAsBackup: return 102
        case .takeover: return 106
        }
    }

    /// The operator message for process `name`.
    package func text(name: String) -> String {
        switch self {
        case .terminated(let cause):
            return "Object unavailable SNMP-Trap-Multiplexer \(name), event number: Process-Terminated cause: "
                + "\(cause.rawValue), previous state: started, current state: not-running, user content: undefined"
        case .started:
            return "Object available SNMP-Trap-Multiplexer \(name), event number: Process-Started, reason: "
                + "Process-Started previous state: not-running, current state: started, user content: undefined"
        case .ioError(let fault):
            return "Transient Fault SNMP-Trap-Multiplexer \(name), event number: Process-I/O error, fault type: "
                + "IO-error FS error: \(fault.code) -- subcode: \(fault.subcode), file name: \(fault.file), "
                + "Additional Info: \(fault.info)"
        case .memoryFull:
            return "Transient Fault SNMP-Trap-Multiplexer \(name), event number: Process-No-Memory-Space, "
                + "fault type: Memory-full"
        case .internalError(let detail):
            return "Transient Fault SNMP-Trap-Multiplexer \(name), event number: Process-Internal-Error, "
                + "fault type: Internal-error, error detail: \(detail)"
        case .startedAsBackup:
            return "Object available SNMP-Trap-Multiplexer \(name), event number: Process-Started, reason: "
                + "Process-Started previous state: not-running, current state: backup, user content: undefined"
        case .takeover(let takeover):
            return "Object available SNMP-Trap-Multiplexer \(name), event number: Process-Takeover, reason: "
                + "\(takeover.cause.rawValue) previous state: backup, current state: started, user content: undefined"
        }
    }
}
