// Decoder throughput: TrapDecoder against net-snmp's own parser on the same datagrams (run it with bench/decoder).
//
// For each packet both sides run in alternating rounds (A = TrapDecoder, B = net-snmp, A, B, …) so that noise
// from other work on the machine hits both alike. One TrapDecoder iteration is `TrapMessage(decoding:)` with its
// varbind array; one net-snmp iteration is its receive path for a datagram: a zeroed `netsnmp_pdu`,
// `snmp_parse` (version, community, PDU and every varbind) and `snmp_free_pdu`. No MIBs and no configuration
// files are read. Both sides add the varbind count of every result to a checksum that is printed and checked,
// so the optimizer cannot drop the work.

import CNetSNMP
import Foundation
import TrapDecoder

// MARK: Options

/// Which parser a run measures.
enum Side: String {
    case trapDecoder = "trapdecoder"
    case netSNMP = "net-snmp"
}

/// The command line.
struct Options {
    /// Timed seconds per side per packet, split into `rounds` rounds.
    var seconds = 1.0
    /// Rounds per side per packet.
    var rounds = 10
    /// The directory of `*.bin` datagrams.
    var packetsDirectory = Options.defaultPacketsDirectory()
    /// A fixed iteration count instead of timed rounds (for profilers such as callgrind).
    var iterations: Int?
    /// Only this side (with `--iterations`).
    var only: Side?

    static let usage = """
        usage: DecoderBenchmark [--seconds S] [--rounds R] [--packets DIR]
               DecoderBenchmark --iterations N [--only trapdecoder|net-snmp] [--packets DIR]

          --seconds S     timed seconds per side per packet, split into rounds (default 1)
          --rounds R      alternating A/B rounds per packet (default 10)
          --packets DIR   directory of *.bin datagrams (default: ../shared/bench/packets beside the repository)
          --iterations N  run each side exactly N times per packet, untimed rounds (for callgrind)
          --only SIDE     with --iterations: run only trapdecoder or net-snmp

        Exit status: 0 when every packet decodes at least 5x as fast as net-snmp parses it,
        1 when one does not, 2 on a usage or verification error.
        """

    /// The repository root's sibling `../shared/bench/packets`, found from this source file, else from the
    /// working directory.
    static func defaultPacketsDirectory() -> String {
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // DecoderBenchmark
            .deletingLastPathComponent()  // bench
            .deletingLastPathComponent()  // repository root
        let beside = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/packets").path
        if FileManager.default.fileExists(atPath: beside) { return beside }
        return "../shared/bench/packets"
    }

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(for flag: String) -> String {
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds":
                guard let seconds = Double(value(for: argument)), seconds > 0, seconds.isFinite else {
                    fail("--seconds needs a positive number of seconds")
                }
                options.seconds = seconds
            case "--rounds":
                guard let rounds = Int(value(for: argument)), rounds >= 1 else { fail("--rounds needs a count ≥ 1") }
                options.rounds = rounds
            case "--packets":
                options.packetsDirectory = value(for: argument)
            case "--iterations":
                guard let iterations = Int(value(for: argument)), iterations >= 1 else {
                    fail("--iterations needs a count ≥ 1")
                }
                options.iterations = iterations
            case "--only":
                guard let side = Side(rawValue: value(for: argument)) else {
                    fail("--only takes trapdecoder or net-snmp")
                }
                options.only = side
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                fail("unknown argument \(argument)")
            }
        }
        if options.only != nil && options.iterations == nil {
            fail("--only is for fixed-count runs; add --iterations N (the timed comparison needs both sides)")
        }
        return options
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("DecoderBenchmark: \(message)\n\n\(usage)\n".utf8))
        exit(2)
    }
}

// MARK: The two parsers

/// TrapDecoder's side: decode the datagram, count its varbinds.
enum TrapDecoderParser {
    /// The varbind count of one decode, or the error.
    static func verify(_ datagram: ArraySlice<UInt8>) -> Result<Int, TrapDecodingError> {
        do {
            return .success(try TrapMessage(decoding: datagram).varbinds.count)
        } catch {
            return .failure(error)
        }
    }

    /// Decodes `datagram` `times` times; returns the sum of the varbind counts (−1 per failure).
    @inline(never)
    static func run(_ datagram: ArraySlice<UInt8>, times: Int) -> Int {
        var sink = 0
        for _ in 0..<times {
            do {
                let message = try TrapMessage(decoding: datagram)
                sink &+= message.varbinds.count
            } catch {
                sink &-= 1
            }
        }
        return sink
    }
}

/// net-snmp's side: its receive path for one datagram (`_sess_process_packet`): a zeroed PDU, `snmp_parse`,
/// then `snmp_free_pdu`.
final class NetSNMPParser {
    private let session: UnsafeMutablePointer<netsnmp_session>
    private let data: UnsafeMutablePointer<u_char>
    private let length: Int

    /// Library set-up without `init_snmp`: no configuration files and no MIBs are read.
    static func setUpLibrary() {
        netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1)
    }

    init(datagram: [UInt8]) {
        session = .allocate(capacity: 1)
        session.initialize(to: netsnmp_session())
        // Version SNMP_DEFAULT_VERSION: snmp_parse takes the version from each message.
        snmp_sess_init(session)
        data = .allocate(capacity: max(datagram.count, 1))
        data.initialize(from: datagram, count: datagram.count)
        length = datagram.count
    }

    deinit {
        session.deallocate()
        data.deallocate()
    }

    /// The varbind count of one parse, or net-snmp's error text.
    func verify() -> Result<Int, NetSNMPError> {
        let pdu = Self.makePDU()
        defer { snmp_free_pdu(pdu) }
        let status = snmp_parse(nil, session, pdu, data, length)
        guard status == 0 else {
            let text = snmp_api_errstring(session.pointee.s_snmp_errno).map { String(cString: $0) } ?? "?"
            return .failure(NetSNMPError(description: "snmp_parse returned \(status): \(text)"))
        }
        return .success(Self.countVariables(pdu))
    }

    /// Parses the datagram `times` times; returns the sum of the varbind counts (−1 per failure).
    @inline(never)
    func run(times: Int) -> Int {
        var sink = 0
        for _ in 0..<times {
            let pdu = Self.makePDU()
            if snmp_parse(nil, session, pdu, data, length) == 0 {
                sink &+= Self.countVariables(pdu)
            } else {
                sink &-= 1
            }
            snmp_free_pdu(pdu)
        }
        return sink
    }

    /// A zeroed PDU, as `snmp_create_sess_pdu` makes for each received datagram.
    private static func makePDU() -> UnsafeMutablePointer<netsnmp_pdu> {
        guard let memory = calloc(1, MemoryLayout<netsnmp_pdu>.size) else { fatalError("calloc failed") }
        return memory.assumingMemoryBound(to: netsnmp_pdu.self)
    }

    private static func countVariables(_ pdu: UnsafeMutablePointer<netsnmp_pdu>) -> Int {
        var count = 0
        var variable = pdu.pointee.variables
        while let current = variable {
            count += 1
            variable = current.pointee.next_variable
        }
        return count
    }
}

/// A net-snmp parse failure.
struct NetSNMPError: Error, CustomStringConvertible {
    /// net-snmp's status and error text.
    let description: String
}

// MARK: Timing

/// Times alternating rounds of two workloads.
struct Timer {
    let clock = ContinuousClock()

    /// A batch size whose run takes about a millisecond (also warms caches and the allocator).
    func calibrate(roundBudget: Duration, _ body: (Int) -> Int) -> (batch: Int, sink: Int) {
        var batch = 1
        var sink = 0
        let target = min(Duration.milliseconds(1), roundBudget / 8)
        while true {
            let start = clock.now
            sink &+= body(batch)
            let elapsed = start.duration(to: clock.now)
            if elapsed >= target || batch >= 1 << 30 {
                let scaled = Double(batch) * (target / max(elapsed, .nanoseconds(1)))
                return (max(1, Int(scaled)), sink)
            }
            batch *= 2
        }
    }

    /// Runs `body(batch)` until `budget` has passed; returns iterations, seconds and the checksum.
    func round(batch: Int, budget: Duration, _ body: (Int) -> Int) -> (iterations: Int, seconds: Double, sink: Int) {
        let start = clock.now
        var iterations = 0
        var sink = 0
        var elapsed = Duration.zero
        repeat {
            sink &+= body(batch)
            iterations += batch
            elapsed = start.duration(to: clock.now)
        } while elapsed < budget
        return (iterations, Self.seconds(elapsed), sink)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// One side's figures for one packet.
struct SideFigures {
    var iterations = 0
    var seconds = 0.0
    var sink = 0
    var roundRates: [Double] = []

    var medianRate: Double { median(roundRates) }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

// MARK: Output

/// Text helpers for the table.
enum Format {
    static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let digits = String(Int(value.rounded()))
        var text = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(character)
        }
        return text
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

// MARK: Running

/// One datagram from the packets directory.
struct Packet {
    let name: String
    let bytes: [UInt8]
}

func loadPackets(from directory: String) -> [Packet] {
    let names: [String]
    do {
        names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".bin") }.sorted()
    } catch {
        Options.fail("cannot list \(directory): \(error.localizedDescription)")
    }
    guard !names.isEmpty else { Options.fail("no *.bin files in \(directory)") }
    return names.map { name in
        let path = (directory as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else { Options.fail("cannot read \(path)") }
        return Packet(name: name, bytes: [UInt8](data))
    }
}

/// Checks that both parsers accept the packet and find the same number of varbinds; returns that number.
func verify(_ packet: Packet, _ netSNMP: NetSNMPParser) -> Int? {
    let ours = TrapDecoderParser.verify(packet.bytes[...])
    let theirs = netSNMP.verify()
    switch (ours, theirs) {
    case (.success(let ourCount), .success(let theirCount)) where ourCount == theirCount:
        return ourCount
    case (.success(let ourCount), .success(let theirCount)):
        print("\(packet.name): varbind counts differ: TrapDecoder \(ourCount), net-snmp \(theirCount)")
    case (.failure(let error), _):
        print("\(packet.name): TrapDecoder rejects it: \(error)")
    case (_, .failure(let error)):
        print("\(packet.name): net-snmp rejects it: \(error)")
    }
    return nil
}

func runFixedCount(_ options: Options, _ packets: [Packet], iterations: Int) -> Int32 {
    let timer = Timer()
    var status: Int32 = 0
    print("fixed-count run: \(iterations) iterations per side per packet, \(options.only?.rawValue ?? "both sides")")
    for packet in packets {
        let netSNMP = NetSNMPParser(datagram: packet.bytes)
        guard let varbinds = verify(packet, netSNMP) else {
            status = 2
            continue
        }
        var line = "\(Format.left(packet.name, 22)) \(Format.right(String(packet.bytes.count), 5)) B  "
            + "\(Format.right(String(varbinds), 3)) varbinds"
        let datagram = packet.bytes[...]
        if options.only != .netSNMP {
            let start = timer.clock.now
            let sink = TrapDecoderParser.run(datagram, times: iterations)
            let seconds = Timer.seconds(start.duration(to: timer.clock.now))
            line += "  TrapDecoder \(Format.grouped(Double(iterations) / seconds))/s (checksum \(sink))"
            if sink != iterations * varbinds { status = 2 }
        }
        if options.only != .trapDecoder {
            let start = timer.clock.now
            let sink = netSNMP.run(times: iterations)
            let seconds = Timer.seconds(start.duration(to: timer.clock.now))
            line += "  net-snmp \(Format.grouped(Double(iterations) / seconds))/s (checksum \(sink))"
            if sink != iterations * varbinds { status = 2 }
        }
        print(line)
    }
    return status
}

func runComparison(_ options: Options, _ packets: [Packet]) -> Int32 {
    let timer = Timer()
    let roundBudget = Duration.seconds(options.seconds / Double(options.rounds))
    let version = netsnmp_get_version().map { String(cString: $0) } ?? "?"
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
        .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    print("TrapDecoder vs net-snmp \(version) snmp_parse+snmp_free_pdu; packets: \(options.packetsDirectory)")
    print("\(options.rounds) alternating rounds per side per packet, \(Format.fixed(options.seconds, 2)) s per side "
        + "per packet; load average at start: \(load)")
    print("rates are the median of the rounds; ratio is the median of the per-round ratios of adjacent A/B rounds")
    print("")
    let header = Format.left("packet", 22) + Format.right("bytes", 6) + Format.right("varbinds", 9)
        + Format.right("TrapDecoder/s", 15) + Format.right("net-snmp/s", 13) + Format.right("ratio", 9)
        + "  round ratios min–max"
    print(header)
    print(String(repeating: "-", count: header.count))

    var ratios: [(name: String, ratio: Double)] = []
    var status: Int32 = 0
    var totalSink = 0
    for packet in packets {
        let netSNMP = NetSNMPParser(datagram: packet.bytes)
        guard let varbinds = verify(packet, netSNMP) else {
            status = 2
            continue
        }
        let datagram = packet.bytes[...]
        let ourBody: (Int) -> Int = { TrapDecoderParser.run(datagram, times: $0) }
        let theirBody: (Int) -> Int = { netSNMP.run(times: $0) }
        let (ourBatch, ourWarmSink) = timer.calibrate(roundBudget: roundBudget, ourBody)
        let (theirBatch, theirWarmSink) = timer.calibrate(roundBudget: roundBudget, theirBody)
        totalSink &+= ourWarmSink &+ theirWarmSink

        var ours = SideFigures()
        var theirs = SideFigures()
        var roundRatios: [Double] = []
        for _ in 0..<options.rounds {
            let a = timer.round(batch: ourBatch, budget: roundBudget, ourBody)
            let b = timer.round(batch: theirBatch, budget: roundBudget, theirBody)
            ours.iterations += a.iterations
            ours.seconds += a.seconds
            ours.sink &+= a.sink
            ours.roundRates.append(Double(a.iterations) / a.seconds)
            theirs.iterations += b.iterations
            theirs.seconds += b.seconds
            theirs.sink &+= b.sink
            theirs.roundRates.append(Double(b.iterations) / b.seconds)
            roundRatios.append(ours.roundRates.last! / theirs.roundRates.last!)
        }
        totalSink &+= ours.sink &+ theirs.sink
        if ours.sink != ours.iterations * varbinds || theirs.sink != theirs.iterations * varbinds {
            print("\(packet.name): checksum mismatch (TrapDecoder \(ours.sink) for \(ours.iterations) decodes, "
                + "net-snmp \(theirs.sink) for \(theirs.iterations) parses, \(varbinds) varbinds each)")
            status = 2
        }
        let ratio = median(roundRatios)
        ratios.append((packet.name, ratio))
        print(
            Format.left(packet.name, 22) + Format.right(String(packet.bytes.count), 6)
                + Format.right(String(varbinds), 9) + Format.right(Format.grouped(ours.medianRate), 15)
                + Format.right(Format.grouped(theirs.medianRate), 13)
                + Format.right(Format.fixed(ratio, 2) + "×", 9)
                + "  \(Format.fixed(roundRatios.min()!, 2))–\(Format.fixed(roundRatios.max()!, 2))")
    }
    print("")
    print("checksum (varbinds counted by both sides): \(totalSink)")
    guard let lowest = ratios.min(by: { $0.ratio < $1.ratio }) else { return 2 }
    let below = ratios.filter { $0.ratio < 5 }
    if below.isEmpty && status == 0 {
        print("VERDICT: PASS — every ratio ≥ 5× (lowest \(Format.fixed(lowest.ratio, 2))× on \(lowest.name))")
        return 0
    }
    let names = below.map { "\($0.name) \(Format.fixed($0.ratio, 2))×" }.joined(separator: ", ")
    print("VERDICT: FAIL — below 5× on: \(below.isEmpty ? "none (but a packet failed verification)" : names)")
    return status != 0 ? status : 1
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
NetSNMPParser.setUpLibrary()
let packets = loadPackets(from: options.packetsDirectory)
if let iterations = options.iterations {
    exit(runFixedCount(options, packets, iterations: iterations))
}
exit(runComparison(options, packets))
