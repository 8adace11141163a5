import ArgumentParser
import Foundation
import TrapDecoder

/// `trapmux tail`: the reference subscriber; prints events as they arrive, like `snmptrapd -f -Lo`.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe to a running trapmux and print its events (operator text or JSON).")

    @Option(help: "Subscriber socket of the running trapmux (default: $TRAPMUX_SOCKET, /run/trapmux/trapmux.sock, or ./run/trapmux.sock).")
    var socket = ConfigurationOptions.defaultSocket

    @Option(help: "Output format: text (operator messages) or json (one event object per line).")
    var format = "text"

    @Option(help: "Subscriber name shown in the server's stats.")
    var name = "tail"

    @Option(help: "Only these generic traps (0–6 or names; repeatable).")
    var generic: [String] = []

    @Option(help: "Only enterprises under this OID (repeatable).")
    var enterprise: [String] = []

    @Option(name: .customLong("trap-oid"), help: "Only notification OIDs under this OID (repeatable).")
    var trapOID: [String] = []

    @Option(help: "Only senders in this CIDR (repeatable).")
    var source: [String] = []

    @Option(help: "Only this community (repeatable).")
    var community: [String] = []

    @Option(name: .customLong("snmp-version"), help: "Only this SNMP version, 1 or 2c (repeatable).")
    var snmpVersion: [String] = []

    @Option(help: "Queue length to ask for.")
    var queue: Int?

    @Flag(help: "Do not receive process events (101–105).")
    var noProcessEvents = false

    @Option(help: "Exit after this many trap events.")
    var count: Int?

    @Flag(help: "Print nothing per event; at the end print how many events and dropped markers arrived and the rate (for benchmarks).")
    var quiet = false

    @Option(help: "With --quiet: stop after this many seconds without an event.")
    var idleSeconds = 5.0

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        var filter: [String: Any] = [:]
        if !generic.isEmpty { filter["generic"] = generic }
        if !enterprise.isEmpty { filter["enterprise"] = enterprise }
        if !trapOID.isEmpty { filter["trap_oid"] = trapOID }
        if !source.isEmpty { filter["source"] = source }
        if !community.isEmpty { filter["community"] = community }
        if !snmpVersion.isEmpty { filter["version"] = snmpVersion }
        // Text output is the operator text plus the notification's name, which the operator text does not carry;
        // so tail asks for JSON and prints both.
        var subscribe: [String: Any] = ["name": name, "format": "json", "process_events": !noProcessEvents]
        if !filter.isEmpty { subscribe["filter"] = filter }
        if let queue { subscribe["queue"] = queue }
        let request = try JSONSerialization.data(withJSONObject: ["subscribe": subscribe], options: [.sortedKeys])

        do {
            let client = try LineSocketClient(path: socket)
            try client.send(String(decoding: request, as: UTF8.self))
            guard let first = try client.readLine() else {
                printError("trapmux tail: the server closed the connection")
                throw ExitCode(1)
            }
            if first.starts(with: Array(#"{"error""#.utf8)) {
                printError("trapmux tail: refused: \(String(decoding: first, as: UTF8.self))")
                throw ExitCode(1)
            }
            if quiet {
                try countQuietly(client)
                return
            }
            var traps = 0
            while let line = try client.readLine() {
                if line.starts(with: Array(#"{"type":"dropped""#.utf8)) {
                    printDropped(line)
                    continue
                }
                // Lines from the server are escaped already; escape again so nothing raw reaches a terminal.
                print(TextEscaping.escaped(format == "json" ? line : Self.textLine(line)))
                // A pipe or a container log is not a terminal: flush per event so each shows up as it comes.
                fflush(nil)
                if line.starts(with: Array(#"{"type":"process""#.utf8)) { continue }

                traps += 1
                if let count, traps >= count { return }
            }
            printError("trapmux tail: the server closed the connection")
            throw ExitCode(1)
        } catch let failure as LineSocketClient.Failure {
            printError("trapmux tail: \(failure)")
            throw ExitCode(1)
        }
    }

    /// Counts events without printing them, checking each is one whole JSON object or text line.
    private func countQuietly(_ client: LineSocketClient) throws {
        client.setReadTimeout(seconds: idleSeconds)
        var traps = 0
        var dropped = 0
        var malformed = 0
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        let trapPrefix = Array(#"{"type":"trap""#.utf8)
        let droppedPrefix = Array(#"{"type":"dropped""#.utf8)
        while count.map({ traps < $0 }) ?? true {
            guard let line = try? client.readLine() else { break }
            if line.starts(with: droppedPrefix) {
                let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
                dropped += object?["count"] as? Int ?? 0
                continue
            }
            if line.starts(with: Array(#"{"type":"process""#.utf8)) { continue }
            guard line.starts(with: trapPrefix), line.last == UInt8(ascii: "}") else {
                malformed += 1
                continue
            }
            traps += 1
            last = ContinuousClock.now
            if first == nil { first = last }
        }
        let seconds = first.map { start in
            let elapsed = last - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        } ?? 0
        print("received \(traps) events, \(dropped) dropped, \(malformed) malformed, in \(String(format: "%.3f", seconds)) s"
              + (seconds > 0 ? ": \(Int(Double(traps) / seconds)) per second" : ""))
    }

    private func printDropped(_ line: [UInt8]) {
        if format == "json" {
            print(String(decoding: line, as: UTF8.self))
            return
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
        let count = object?["count"] ?? "?"
        let first = object?["first_seq"] ?? "?"
        let last = object?["last_seq"] ?? "?"
        defer { fflush(nil) }
        print("-- trapmux dropped \(count) events (seq \(first)–\(last)): this subscriber read too slowly --")
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
