import TrapDecoder

/// A received, decoded and classified notification on its way to subscribers and relays.
package struct TrapEvent: Sendable {
    /// Position in this run's event sequence (shared with process events).
    package let seq: UInt64
    /// When the datagram was read, in microseconds since the Unix epoch.
    package let receivedAt: Int64
    /// Who sent the datagram.
    package let source: SourceAddress
    /// The datagram as received (the message's values are views into it), for raw relaying.
    package let datagram: [UInt8]
    /// The decoded message.
    package let message: TrapMessage
    /// Its generic trap and both RFC 3584 views.
    package let classification: TrapClassification

    /// An event of the run's sequence number `seq`.
    package init(
        seq: UInt64, receivedAt: Int64, source: SourceAddress, datagram: [UInt8], message: TrapMessage,
        classification: TrapClassification
    ) {
        self.seq = seq
        self.receivedAt = receivedAt
        self.source = source
        self.datagram = datagram
        self.message = message
        self.classification = classification
    }

    /// Hands the event's JSON line, with `parts`, to `body`, which copies what it keeps.
    package func withJSONLine<R>(
        processName: String, names: MIBNames?, parts: EventParts = .all, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        var line = OutputBytes(capacity: 256 + message.varbinds.count * 96)
        var text = OutputBytes(capacity: 192 + message.varbinds.count * 80)
        appendJSONLine(processName: processName, names: names, parts: parts, to: &line, textScratch: &text)
        return line.withBytes(body)
    }

    /// Appends the event's JSON line (newline included) with `parts` to `output`; `textScratch` is room for the
    /// operator text on its way into the JSON. Both are reused from event to event, so rendering allocates nothing
    /// once they have grown to the size of the events.
    package func appendJSONLine(
        processName: String, names: MIBNames?, parts: EventParts, to output: inout OutputBytes,
        textScratch text: inout OutputBytes
    ) {
        var writer = JSONWriter(continuing: output)
        writer.beginObject()
        writer.field("type", literal: "trap")
        writer.field("seq", seq)
        writer.key("received_at")
        writer.timestamp(microseconds: receivedAt)
        writer.field("source", source.description)
        var memo = NameMemo(parts.contains(.names) ? names : nil)
        TrapJSON.writeFields(of: message, classification: classification, names: &memo, parts: parts, into: &writer)
        if parts.contains(.text) {
            // The text shows names whenever they are on, whatever the JSON parts.
            var textNames = parts.contains(.names) ? memo : NameMemo(names)
            writer.key("text")
            text.removeAll()
            appendText(processName: processName, names: &textNames, to: &text)
            writer.string(rendered: text)
        }
        writer.endObject()
        output = writer.finishLine()
    }

    /// The operator message as one line, newline included.
    package func textLine(processName: String, names: MIBNames?) -> [UInt8] {
        var text = OutputBytes(capacity: 192 + message.varbinds.count * 80)
        appendTextLine(processName: processName, names: names, to: &text)
        return text.array
    }

    /// Appends the operator message as one line, newline included, to `output`.
    package func appendTextLine(processName: String, names: MIBNames?, to output: inout OutputBytes) {
        var memo = NameMemo(names)
        appendText(processName: processName, names: &memo, to: &output)
        output.append(0x0A)
    }

    private func appendText(processName: String, names: inout NameMemo, to text: inout OutputBytes) {
        message.appendOperatorText(processName: processName, classification: classification, name: { names.name(of: $0) }, to: &text)
    }
}

extension ProcessEvent {
    /// The event as one JSON line (SPEC §6: type "process", event, seq, at, text and its fields).
    package func jsonLine(processName: String, seq: UInt64, at microseconds: Int64) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("type", "process")
        writer.field("event", number)
        writer.field("seq", seq)
        writer.key("at")
        writer.timestamp(microseconds: microseconds)
        writer.field("name", processName)
        writer.field("text", text(name: processName))
        switch self {
        case .terminated(let cause):
            writer.field("cause", cause.rawValue)
        case .started:
            break
        case .ioError(let fault):
            writer.field("code", fault.code)
            writer.field("subcode", fault.subcode)
            writer.field("file", fault.file)
            writer.field("info", fault.info)
        case .memoryFull(let shed, let queuedBytes, let budgetBytes):
            writer.field("shed", shed)
            writer.field("queued_bytes", queuedBytes)
            writer.field("budget_bytes", budgetBytes)
        case .internalError(let detail):
            writer.field("detail", detail)
        case .startedAsBackup:
            writer.field("state", "backup")
        case .takeover(let takeover):
            takeover.writeFields(into: &writer)
        }
        writer.endObject()
        return writer.line()
    }
}
