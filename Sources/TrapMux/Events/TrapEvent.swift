import TrapDecoder

/// A received, decoded and classified notification on its way to subscribers and relays.
struct TrapEvent: Sendable {
    /// Position in this run's event sequence (shared with process events).
    let seq: UInt64
    /// When the datagram was read, in microseconds since the Unix epoch.
    let receivedAt: Int64
    /// Who sent the datagram.
    let source: SourceAddress
    /// The datagram as received (the message's values are views into it), for raw relaying.
    let datagram: [UInt8]
    /// The decoded message.
    let message: TrapMessage
    /// Its generic trap and both RFC 3584 views.
    let classification: TrapClassification

    /// The event as one JSON line (SPEC §6), newline included.
    func jsonLine(processName: String, names: MIBNames?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + message.varbinds.count * 96)
        writer.beginObject()
        writer.key("type")
        writer.string("trap")
        writer.key("seq")
        writer.number(seq)
        writer.key("received_at")
        writer.timestamp(microseconds: receivedAt)
        writer.key("source")
        writer.string(source.description)
        var memo = NameMemo(names)
        TrapJSON.writeFields(of: message, classification: classification, names: &memo, into: &writer)
        writer.key("text")
        writer.string(utf8: textUTF8(processName: processName, names: &memo))
        writer.endObject()
        var bytes = writer.bytes
        bytes.append(0x0A)
        return bytes
    }

    /// The operator message (SPEC §5).
    func text(processName: String, names: MIBNames?) -> String {
        String(decoding: textUTF8(processName: processName, names: names), as: UTF8.self)
    }

    /// The operator message as UTF-8 bytes.
    func textUTF8(processName: String, names: inout NameMemo) -> [UInt8] {
        message.operatorTextUTF8(processName: processName, classification: classification) { names.name(of: $0) }
    }

    /// The operator message as UTF-8 bytes, names looked up for this message alone.
    func textUTF8(processName: String, names: MIBNames?) -> [UInt8] {
        var memo = NameMemo(names)
        return textUTF8(processName: processName, names: &memo)
    }

    /// The operator message as one line, newline included.
    func textLine(processName: String, names: MIBNames?) -> [UInt8] {
        var bytes = textUTF8(processName: processName, names: names)
        bytes.append(0x0A)
        return bytes
    }
}

extension ProcessEvent {
    /// The event as one JSON line (SPEC §6: type "process", event, seq, at, text and its fields).
    func jsonLine(processName: String, seq: UInt64, at microseconds: Int64) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("type")
        writer.string("process")
        writer.key("event")
        writer.number(number)
        writer.key("seq")
        writer.number(seq)
        writer.key("at")
        writer.timestamp(microseconds: microseconds)
        writer.key("name")
        writer.string(processName)
        writer.key("text")
        writer.string(text(name: processName))
        switch self {
        case .terminated(let cause):
            writer.key("cause")
            writer.string(cause.rawValue)
        case .started:
            break
        case .ioError(let fault):
            writer.key("code")
            writer.number(fault.code)
            writer.key("subcode")
            writer.number(fault.subcode)
            writer.key("file")
            writer.string(fault.file)
            writer.key("info")
            writer.string(fault.info)
        case .memoryFull(let shed, let queuedBytes, let budgetBytes):
            writer.key("shed")
            writer.number(shed)
            writer.key("queued_bytes")
            writer.number(queuedBytes)
            writer.key("budget_bytes")
            writer.number(budgetBytes)
        case .internalError(let detail):
            writer.key("detail")
            writer.string(detail)
        }
        writer.endObject()
        var bytes = writer.bytes
        bytes.append(0x0A)
        return bytes
    }
}
