import NIOCore
import TrapDecoder
import TrapEvents

extension PairCheckpointCoding {
    /// Writes a process event: its number, a variant byte where a number has two (102), and its fields.
    package static func writeProcessEvent(_ event: ProcessEvent, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(event.number))
        switch event {
        case .terminated(let cause):
            buffer.writeShortString(cause.rawValue)
        case .started:
            buffer.writeInteger(UInt8(0))
        case .startedAsBackup:
            buffer.writeInteger(UInt8(1))
        case .ioError(let fault):
            buffer.writeInteger(fault.code)
            buffer.writeInteger(fault.subcode)
            buffer.writeShortString(fault.file)
            buffer.writeShortString(fault.info)
        case .memoryFull(let shed, let queuedBytes, let budgetBytes):
            buffer.writeInteger(Int64(shed))
            buffer.writeInteger(Int64(queuedBytes))
            buffer.writeInteger(Int64(budgetBytes))
        case .internalError(let detail):
            buffer.writeShortString(detail)
        case .takeover(let takeover):
            buffer.writeShortString(takeover.cause.rawValue)
            buffer.writeShortString(takeover.primaryCause.rawValue)
            buffer.writeInteger(takeover.primaryPID)
        }
    }

    /// Reads what `writeProcessEvent` wrote.
    package static func readProcessEvent(_ body: inout ByteBuffer) throws(PairControlProtocol.ProtocolError) -> ProcessEvent {
        switch try body.need(UInt16.self, "process event number") {
        case 101:
            let cause = try body.needShortString("101 cause")
            guard let cause = ProcessEvent.TerminationCause(rawValue: cause) else { throw .init("101: cause \(cause)") }
            return .terminated(cause)
        case 102:
            return try body.need(UInt8.self, "102 state") == 1 ? .startedAsBackup : .started
        case 103:
            let code = try body.need(Int32.self, "103 code")
            let subcode = try body.need(Int32.self, "103 subcode")
            let file = try body.needShortString("103 file")
            return .ioError(.init(code: code, subcode: subcode, file: file, info: try body.needShortString("103 info")))
        case 104:
            let shed = try body.need(Int64.self, "104 shed")
            let queued = try body.need(Int64.self, "104 queued")
            let budget = try body.need(Int64.self, "104 budget")
            return .memoryFull(shed: Int(shed), queuedBytes: Int(queued), budgetBytes: Int(budget))
        case 105:
            return .internalError(try body.needShortString("105 detail"))
        case 106:
            let cause = try body.needShortString("106 cause")
            let primaryCause = try body.needShortString("106 primary cause")
            let pid = try body.need(Int32.self, "106 pid")
            guard let cause = ProcessEvent.TakeoverCause(rawValue: cause),
                let primaryCause = ProcessEvent.TerminationCause(rawValue: primaryCause)
            else { throw .init("106: cause \(cause) / \(primaryCause)") }
            return .takeover(.init(cause: cause, primaryCause: primaryCause, primaryPID: pid))
        case let number:
            throw .init("unknown process event \(number)")
        }
    }
}
