import TrapDecoder

extension ProcessEvent {
    /// What event 106 says: why the backup took over, and what became of the primary (SPEC §5, §14).
    package struct Takeover: Sendable, Equatable {
        /// The reason 106 names.
        package var cause: TakeoverCause
        /// The primary's end in event 101's words: Termination-request (SIGTERM), Process-stopped (a planned
        /// switch), Process-aborted (it died: a crash, SIGKILL), Loop-timer-timeout (it hung and was fenced).
        package var primaryCause: TerminationCause
        /// The pid the primary had (0 when unknown).
        package var primaryPID: Int32

        /// A takeover for `cause` from the primary `primaryPID`, which ended as `primaryCause` says.
        package init(cause: TakeoverCause, primaryCause: TerminationCause, primaryPID: Int32) {
            self.cause = cause
            self.primaryCause = primaryCause
            self.primaryPID = primaryPID
        }

        /// The fields event 106 carries in JSON besides its text.
        package func writeFields(into writer: inout JSONWriter) {
            writer.field("cause", cause.rawValue)
            writer.field("primary_cause", primaryCause.rawValue)
            writer.field("primary_pid", Int(primaryPID))
            writer.field("state", "started")
        }
    }

    /// Why a backup took over (SPEC §5, event 106).
    package enum TakeoverCause: String, Sendable, CaseIterable {
        /// The primary stopped on SIGTERM/SIGINT and handed over.
        case primaryTerminated = "Primary-Terminated"
        /// The primary's control connection ended without a hand-over: it crashed or was killed.
        case primaryAborted = "Primary-Aborted"
        /// The primary missed `missed` heartbeats in a row; the backup fenced it with SIGKILL first.
        case heartbeatLost = "Heartbeat-Lost"
        /// `trapmux pair takeover` asked for the switch.
        case operatorRequest = "Operator-Request"
    }
}
