import ArgumentParser
import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux tail`: the reference subscriber; prints events as they arrive, like `snmptrapd -f -Lo`.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe to a running trapmux and print its events (operator text or JSON).",
        discussion: ExitStatus.summary(
            ok: "after --count traps (with --quiet also after --idle-seconds without events)",
            runtimeFailure: "the server cannot be reached, refused the subscription or closed the connection"))

    @Option(help: "Subscriber socket of the running trapmux (default: $TRAPMUX_SOCKET, /run/trapmux/trapmux.sock, or ./run/trapmux.sock).")
    var socket = ConfigurationOptions.defaultSocket

    @Option(help: "Output format: text (operator messages) or json (one event object per line).")
    var format = EventFormat.text

    @Option(help: "Subscriber name shown in the server's stats.")
    var name = "tail"

    @Option(help: "Only these generic traps (0-6 or names; repeatable).")
    var generic: [GenericTrap] = []

    @Option(help: "Only enterprises under this OID (repeatable).")
    var enterprise: [String] = []

    @Option(name: .customLong("trap-oid"), help: "Only notification OIDs under this OID (repeatable).")
    var trapOID: [String] = []

    @Option(help: "Only senders in this CIDR (repeatable).")
    var source: [String] = []

    @Option(help: "Only this community (repeatable).")
    var community: [String] = []

    @Option(name: .customLong("snmp-version"), help: "Only this SNMP version: 1, 2c or 3 (repeatable).")
    var snmpVersion: [SNMPVersion] = []

    @Option(
        help: ArgumentHelp(
            "With --format json or --quiet: only these optional parts of trap events (varbinds, text, names, v3; repeatable or comma-separated; 'none' for the core alone).",
            valueName: "part"))
    var fields: [String] = []

    @Option(help: "Queue length to ask for.")
    var queue: Int?

    @Flag(help: "Do not receive process events (101-106).")
    var noProcessEvents = false

    @Option(help: "Exit after this many trap events.")
    var count: Int?

    @Flag(help: "Print nothing per event; at the end print how many events and dropped markers arrived and the rate (for benchmarks).")
    var quiet = false

    @Option(help: "With --quiet: stop after this many seconds without an event.")
    var idleSeconds = 5.0

    @Flag(help: "With --quiet: measure each trap's delay from received_at to being read; print p50/p99/max.")
    var latency = false

    @Flag(help: "Reconnect when the connection ends (a restart, a pair's takeover), resuming after the last event read (resume_after); a gap is reported only for events the server no longer retains.")
    var follow = false

    @Option(help: "With --follow: give up after this many seconds without a server answering.")
    var followTimeout = 60.0

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if latency && !quiet { throw ValidationError("--latency needs --quiet (printing would be timed too)") }
        if !fields.isEmpty && format == .text && !quiet {
            throw ValidationError("--fields needs --format json or --quiet (text output prints the text part)")
        }
        for part in requestedFields ?? [] where EventParts.byName[part] == nil {
            throw ValidationError("--fields: unknown part '\(part)'; expected varbinds, text, names, v3 or none")
        }
    }

    func run() throws {
        var progress = TailProgress(measuresLatency: latency)
        defer { if quiet { printQuietSummary(progress.tally) } }
        var lastConnected = Date()
        while true {
            do {
                if try session(&progress) == .done { return }
                lastConnected = Date()
                guard follow else {
                    printError("trapmux tail: the server closed the connection")
                    throw ExitCode(1)
                }
                printError("trapmux tail: the connection ended; reconnecting" + progress.resumeText)
            } catch let failure as LineSocketClient.Failure {
                guard follow, Date().timeIntervalSince(lastConnected) < followTimeout else {
                    printError("trapmux tail: \(failure)")
                    throw ExitCode(1)
                }
            }
            // A takeover keeps the socket's path listening, so the next connection usually succeeds at once.
            usleep(50_000)
        }
    }

    /// How one connection ended.
    private enum SessionEnd {
        /// `--count` reached, or `--quiet` idle: stop.
        case done
        /// The server closed the connection.
        case closed
    }

    /// One connection: subscribe (resuming after the last event read, when there was one), then print or count.
    private func session(_ progress: inout TailProgress) throws -> SessionEnd {
        let client = try LineSocketClient(path: socket)
        try client.send(String(decoding: try subscribeRequest(resumeAfter: progress.lastSeq), as: UTF8.self))
        guard let first = try client.readLine() else { return .closed }
        if first.starts(with: Array(#"{"error""#.utf8)) {
            printError("trapmux tail: refused: \(String(decoding: first, as: UTF8.self))")
            throw ExitCode(1)
        }
        if quiet {
            return try countQuietly(client, &progress)
        }
        while let line = try client.readLine() {
            if line.starts(with: Array(#"{"type":"dropped""#.utf8)) {
                printDropped(line)
                continue
            }
            progress.noteSeq(in: line)
            // Nothing raw may reach a terminal. Text lines are escaped as operator text; JSON lines keep
            // valid JSON (a `\x5c` escape would break it), with any control character as `\u00XX`.
            if format == .json {
                TailOutput.writeJSON(line)
            } else {
                print(TextEscaping.escaped(Self.textLine(line)))
            }
            // A pipe or a container log is not a terminal: each event shows up as it comes, flushed once the lines
            // already received are written (one write per burst, not per event).
            if !client.hasCompleteLine { fflush(nil) }
            if line.starts(with: Array(#"{"type":"process""#.utf8)) { continue }

            progress.traps += 1
            if let count, progress.traps >= count { return .done }
        }
        return .closed
    }

    /// The parts `--fields` names, nil for the default (every part).
    private var requestedFields: [String]? {
        if fields.isEmpty { return nil }
        return fields.flatMap { $0.split(separator: ",").map(String.init) }.filter { $0 != "none" }
    }

    /// The subscribe request line. Text output is the operator text plus the notification's name, which the
    /// operator text does not carry; so tail asks for JSON and prints both.
    private func subscribeRequest(resumeAfter: UInt64?) throws -> Data {
        func list<T>(_ items: [T]) -> [T]? { items.isEmpty ? nil : items }
        let filter = FilterRequest(
            generic: list(generic.map { .number(Int($0.rawValue)) }), enterprise: list(enterprise),
            trapOID: list(trapOID), source: list(source), community: list(community),
            version: list(snmpVersion.map(\.name)))
        let request = SubscriberRequest.subscribe(
            SubscribeRequest(
                name: name, format: .json, processEvents: !noProcessEvents, queue: queue,
                filter: filter == FilterRequest() ? nil : filter, fields: requestedFields,
                resumeAfter: resumeAfter))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(request)
    }

    /// Counts events without printing them, checking each is one whole JSON object or text line.
    ///
    /// This is the benchmark subscriber, so the per-line work is a few byte comparisons on a view into the
    /// client's buffer: no copy, no Foundation. Only the rare dropped markers are parsed as JSON.
    private func countQuietly(_ client: LineSocketClient, _ progress: inout TailProgress) throws -> SessionEnd {
        client.setReadTimeout(seconds: idleSeconds)
        let limit = count ?? Int.max
        // A read timeout (--idle-seconds) or reaching --count ends the count; the end of the stream too, unless
        // following.
        while progress.tally.traps < limit {
            do {
                guard try client.withNextLine({ progress.add($0) }) != nil else { return follow ? .closed : .done }
            } catch {
                return .done
            }
        }
        return .done
    }

    /// The `--quiet` summary.
    private func printQuietSummary(_ tally: QuietTally) {
        let seconds = tally.firstTrap.map { start in
            let elapsed = tally.lastTrap - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        } ?? 0
        print("received \(tally.traps) events, \(tally.dropped) dropped, \(tally.malformed) malformed, "
              + "in \(String(format: "%.3f", seconds)) s"
              + (seconds > 0 ? ": \(Int(Double(tally.traps) / seconds)) per second" : ""))
        if latency {
            print(tally.latencySummary())
        }
    }

    private func printDropped(_ line: [UInt8]) {
        if format == .json {
            print(String(decoding: line, as: UTF8.self))
            return
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
        let count = object?["count"] ?? "?"
        let first = object?["first_seq"] ?? "?"
        let last = object?["last_seq"] ?? "?"
        defer { fflush(nil) }
        if object?["reason"] as? String == "not_retained" {
            print("-- trapmux no longer retains \(count) events (seq \(first)–\(last)): missed across the reconnect --")
            return
        }
        print("-- trapmux dropped \(count) events (seq \(first)–\(last)): this subscriber read too slowly --")
    }

    /// A JSON line with every control character (C0, DEL, C1) written as a `\u00XX` escape: the server already
    /// escapes C0 and DEL, but C1 controls are valid unescaped JSON and would reach the terminal raw.
    static func terminalSafeJSON(_ line: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(line.count)
        for scalar in String(decoding: line, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The operator text of a JSON event line, followed by the notification's name (or OID) for trap events.
    private static func textLine(_ line: [UInt8]) -> [UInt8] {
        guard let event = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
            let text = event["text"] as? String
        else { return line }
        guard event["type"] as? String == "trap", let trap = (event["trap_name"] ?? event["trap_oid"]) as? String else {
            return Array(text.utf8)
        }
        return Array("\(text) [\(trap)]".utf8)
    }
}

/// What `tail --quiet` counts: trap events, dropped markers, malformed lines, and optionally each trap's latency.
struct QuietTally {
    var traps = 0
    var dropped = 0
    var malformed = 0
    var firstTrap: ContinuousClock.Instant?
    var lastTrap = ContinuousClock.now
    /// Microseconds from `received_at` to the line being read, one per trap, when latency is measured.
    private var latencies: [Int64]?

    /// An empty tally; `measuresLatency` keeps one latency sample per trap (8 bytes each) for the percentiles.
    init(measuresLatency: Bool) {
        latencies = measuresLatency ? [] : nil
    }

    /// Counts one line. The line is a view into the reader's buffer and is not kept.
    mutating func add(_ line: UnsafeRawBufferPointer) {
        if Self.hasPrefix(line, #"{"type":"trap""#) {
            // A line cut short or two events run together would not end in the object's closing brace.
            guard line.last == UInt8(ascii: "}") else {
                malformed += 1
                return
            }
            if latencies != nil {
                // Read the wall clock first: the parse below is part of this reader's cost, not the latency.
                let now = WallClock.microseconds()
                guard let received = ReceivedAt.microseconds(in: line) else {
                    malformed += 1
                    return
                }
                latencies!.append(now - received)
            }
            traps += 1
            lastTrap = ContinuousClock.now
            if firstTrap == nil { firstTrap = lastTrap }
        } else if Self.hasPrefix(line, #"{"type":"dropped""#) {
            let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
            dropped += object?["count"] as? Int ?? 0
        } else if !Self.hasPrefix(line, #"{"type":"process""#) {
            malformed += 1
        }
    }

    /// One line with p50, p99 and max latency in microseconds (nearest-rank percentiles).
    func latencySummary() -> String {
        guard let latencies, !latencies.isEmpty else { return "latency: no trap events" }
        let sorted = latencies.sorted()
        func percentile(_ fraction: Double) -> Int64 {
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
        return "latency from receipt to read: p50 \(percentile(0.50)) us, p99 \(percentile(0.99)) us, "
            + "max \(sorted.last!) us (\(sorted.count) events)"
    }

    /// Whether `line` starts with `prefix`, compared in place.
    private static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        line.count >= prefix.utf8CodeUnitCount
            && memcmp(line.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }
}

/// Reads an event's `"received_at":"2026-11-26T12:49:09.123456Z"` field (RFC 3339 UTC, microseconds, as
/// `RFC3339.format` writes it) without a JSON or date parser, since it runs once per event at full rate.
enum ReceivedAt {
    private static let key: StaticString = #""received_at":""#
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`
    private static let textLength = 27

    /// Microseconds since the Unix epoch of the line's `received_at`; nil if it has none in that form.
    static func microseconds(in line: UnsafeRawBufferPointer) -> Int64? {
        guard let start = valueStart(in: line), start + textLength <= line.count else { return nil }
        return microseconds(text: UnsafeRawBufferPointer(rebasing: line[start..<start + textLength]))
    }

    /// Microseconds since the epoch of exactly `YYYY-MM-DDTHH:MM:SS.ffffffZ`; nil for anything else.
    static func microseconds(text: UnsafeRawBufferPointer) -> Int64? {
        guard text.count == textLength, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T"), text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
            text[19] == UInt8(ascii: "."), text[26] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ from: Int, _ length: Int) -> Int64? {
            var value: Int64 = 0
            for index in from..<from + length {
                let digit = Int64(text[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let fraction = number(20, 6), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Howard Hinnant's days_from_civil: the inverse of the arithmetic in RFC3339.format.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return seconds * 1_000_000 + fraction
    }

    /// The offset just after `"received_at":"`. The server writes it third, after `type` and `seq`, so the
    /// search ends within the first few dozen bytes.
    private static func valueStart(in line: UnsafeRawBufferPointer) -> Int? {
        let keyLength = key.utf8CodeUnitCount
        guard line.count >= keyLength else { return nil }
        for offset in 0...(line.count - keyLength) where line[offset] == UInt8(ascii: "\"") {
            if memcmp(line.baseAddress! + offset, key.utf8Start, keyLength) == 0 { return offset + keyLength }
        }
        return nil
    }
}
