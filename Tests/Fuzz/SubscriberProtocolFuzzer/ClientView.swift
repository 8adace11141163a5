import TrapMuxServer

/// What the client sent and received, and the rules its answers follow: every line is whole, a JSON line is one
/// object, answers come at most once per request line (plus one closing error), and events only after `subscribed`.
struct ClientView {
    var halfClosed = false
    var largestChunk = 0
    /// Request lines sent: newlines, plus a last line a half-close ends.
    private(set) var newlines = 0
    private var sentPartialLine = false
    private var buffer: [UInt8] = []
    private(set) var answers = 0
    private(set) var subscribed = false

    mutating func sent(_ bytes: [UInt8]) {
        newlines += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        sentPartialLine = bytes.last != 0x0A
    }

    mutating func received(_ bytes: [UInt8]) {
        buffer += bytes
        while let newline = buffer.firstIndex(of: 0x0A) {
            line(Array(buffer[..<newline]))
            buffer.removeSubrange(...newline)
        }
    }

    private mutating func line(_ line: [UInt8]) {
        precondition(String(validating: line, as: UTF8.self) != nil, "a line that is not UTF-8")
        guard line.first == UInt8(ascii: "{") else {
            precondition(subscribed, "a text line before subscribing")
            return
        }
        guard case .object(let members)? = try? JSONValue(parsing: line), let first = members.first else {
            preconditionFailure("not one JSON object: \(String(decoding: line, as: UTF8.self))")
        }
        switch first.key {
        case "subscribed", "stats", "pong", "error":
            answers += 1
            if first.key == "subscribed" {
                precondition(!subscribed, "subscribed twice")
                subscribed = true
            }
        default:
            precondition(subscribed, "an event before subscribing: \(first.key)")
        }
    }

    /// Answers never outnumber requests (a last line without newline counts; one closing error may come unasked).
    func checkAnswers() {
        let requests = newlines + (sentPartialLine ? 1 : 0)
        precondition(answers <= requests + 1, "\(answers) answers to \(requests) request lines")
    }
}
