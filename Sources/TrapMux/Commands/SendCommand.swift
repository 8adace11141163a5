import ArgumentParser
import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux send`: sends a test trap or inform of any generic type to one address.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a test SNMP trap (v1 or v2c) or an inform that waits for its response.",
        discussion: """
            Varbinds are given as OID=TYPE:VALUE with TYPE one of i (INTEGER), u (Gauge32), c (Counter32), \
            C (Counter64), t (TimeTicks), s (string), x (hex string), o (OID), a (IpAddress), n (NULL). \
            linkDown and linkUp carry ifIndex, ifAdminStatus and ifOperStatus of interface 1 unless varbinds are given.
            """ + " "
            + ExitStatus.summary(
                ok: "sent (an inform: acknowledged)",
                runtimeFailure: "sending failed, an inform got no response, or the --file cannot be read"))

    @Option(help: "Where to send: ip:port, e.g. 127.0.0.1:1162 or [::1]:1162.")
    var to: String

    @Option(help: "Generic trap: 0-6 or a name (coldStart, warmStart, linkDown, linkUp, authenticationFailure, egpNeighborLoss, enterpriseSpecific).")
    var generic = "coldStart"

    @Option(name: .customLong("snmp-version"), help: "SNMP version: 1 or 2c.")
    var snmpVersion = "1"

    @Flag(help: "Send an SNMPv2c InformRequest and wait for the Response.")
    var inform = false

    @Option(help: "Community string.")
    var community = "public"

    @Option(help: "Enterprise OID (v1 enterprise; v2c enterprise-specific traps become ENTERPRISE.0.SPECIFIC).")
    var enterprise = "1.3.6.1.4.1.8072.3.2.10"

    @Option(help: "Specific trap code (for enterpriseSpecific).")
    var specific: Int32 = 0

    @Option(help: "SNMPv1 agent-addr.")
    var agentAddr = "127.0.0.1"

    @Option(help: "sysUpTime / time-stamp in hundredths of a second.")
    var uptime: UInt32 = 4242

    @Option(name: .customLong("varbind"), help: "A varbind OID=TYPE:VALUE (repeatable).")
    var varbinds: [String] = []

    @Option(help: "How many copies to send (request-ids of v2c traps vary). Above 1, a batched load generator runs.")
    var count = 1

    @Option(help: "Datagrams per second for --count runs; 0 sends as fast as possible.")
    var rate = 0

    @Option(help: "Send this datagram file (raw or hex) instead of building a trap.")
    var file: String?

    @Option(help: "Stop a --count run after this many seconds even if not all were sent.")
    var maxSeconds = 60.0

    @Option(help: "Seconds to wait for each inform response.")
    var timeout = 1.0

    @Option(help: "Inform retransmissions before giving up.")
    var retries = 2

    func validate() throws {
        guard HostPort(to) != nil else { throw ValidationError("--to \(to): expected ip:port such as 127.0.0.1:1162") }
        guard GenericTrap(nameOrNumber: generic) != nil else { throw ValidationError("--generic \(generic): expected 0–6 or a generic trap name") }
        guard ["1", "2c"].contains(snmpVersion) else { throw ValidationError("--snmp-version must be 1 or 2c") }
        guard !inform || snmpVersion == "2c" else { throw ValidationError("--inform needs --snmp-version 2c") }
        guard OID(enterprise) != nil else { throw ValidationError("--enterprise \(enterprise) is not a dotted OID") }
        guard IPv4Address(agentAddr) != nil else { throw ValidationError("--agent-addr must be an IPv4 address") }
        guard (1...100_000_000).contains(count) else {
            throw ValidationError("--count must be 1…100000000: runs are always bounded")
        }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 (as fast as possible) or more") }
        guard maxSeconds > 0 && maxSeconds <= 3600 else { throw ValidationError("--max-seconds must be in (0, 3600]") }
        guard file == nil || !inform else { throw ValidationError("--file cannot be combined with --inform") }
        for varbind in varbinds {
            _ = try VarBindArgument.parse(varbind)
        }
    }

    func run() async throws {
        let generic = GenericTrap(nameOrNumber: self.generic)!
        if file != nil || (count > 1 && !inform) {
            try await runLoad(generic: generic)
            return
        }
        let enterprise = OID(enterprise)!
        var extra = try varbinds.map(VarBindArgument.parse)
        if extra.isEmpty && (generic == .linkDown || generic == .linkUp) {
            extra = Self.interfaceVarbinds(operStatus: generic == .linkDown ? 2 : 1)
        }
        let client: UDPClient
        do {
            client = try UDPClient(to: HostPort(to)!)
        } catch {
            printError("trapmux send: \(error)")
            throw ExitCode(1)
        }
        let firstRequestID = Int32.random(in: 1...1_000_000)
        for index in 0..<count {
            let message = makeMessage(generic: generic, enterprise: enterprise, varbinds: extra,
                                      requestID: firstRequestID &+ Int32(index))
            guard let datagram = message.encoded() else { throw ExitCode(1) }
            if inform {
                try sendInform(datagram, message: message, client: client)
            } else {
                do { try client.send(datagram) } catch {
                    printError("trapmux send: \(error)")
                    throw ExitCode(1)
                }
            }
        }
        if !inform {
            print("sent \(count) \(generic.name) trap\(count == 1 ? "" : "s") (SNMPv\(snmpVersion)) to \(to)")
        }
    }

    /// The load generator: one datagram (from --file or built from the options) sent --count times.
    private func runLoad(generic: GenericTrap) async throws {
        let datagram: [UInt8]
        if let file {
            do {
                datagram = try DatagramFile.read(file)
            } catch {
                printError("trapmux send: \(error)")
                throw ExitStatus.runtimeFailure
            }
        } else {
            var extra = try varbinds.map(VarBindArgument.parse)
            if extra.isEmpty && (generic == .linkDown || generic == .linkUp) {
                extra = Self.interfaceVarbinds(operStatus: generic == .linkDown ? 2 : 1)
            }
            // A 4-octet request-id, so every copy's can be patched in place.
            datagram = makeMessage(generic: generic, enterprise: OID(enterprise)!, varbinds: extra, requestID: 0x0100_0000)
                .encoded()!
        }
        let generator = LoadGenerator(
            target: HostPort(to)!, datagram: datagram, count: count, rate: rate,
            maximumDuration: .milliseconds(Int(maxSeconds * 1000)))
        let outcome: LoadGenerator.Outcome
        do {
            outcome = try generator.run()
        } catch {
            printError("trapmux send: \(error)")
            throw ExitCode(1)
        }
        // Notes in parentheses without colons: scripts read the rate after the line's last colon.
        var notes: [String] = []
        if outcome.sent < count { notes.append("stopped by --max-seconds") }
        if outcome.retries > 0 { notes.append("\(outcome.retries) sendmmsg calls retried after ENOBUFS/EAGAIN") }
        if outcome.refused > 0 { notes.append("\(outcome.refused) sends refused, ICMP port unreachable") }
        if outcome.cutShort > 0 { notes.append("\(outcome.cutShort) sendmmsg calls cut short, the rest resent") }
        print(
            "sent \(outcome.sent) datagrams of \(datagram.count) bytes to \(to) in "
                + "\(String(format: "%.3f", outcome.seconds)) s: \(Int(outcome.rate)) per second"
                + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"))
    }

    private func makeMessage(generic: GenericTrap, enterprise: OID, varbinds: [VarBind], requestID: Int32) -> TrapMessage {
        let communityOctets = Array(community.utf8)[...]
        if snmpVersion == "1" {
            let trap = TrapV1PDU(
                enterprise: enterprise, agentAddress: IPv4Address(agentAddr)!, genericTrap: generic.rawValue,
                specificTrap: generic == .enterpriseSpecific ? specific : 0, timeStamp: uptime, varbinds: varbinds)
            return TrapMessage(version: .v1, community: communityOctets, pdu: .trapV1(trap))
        }
        let trapOID = generic.standardTrapOID ?? enterprise.appending(0).appending(UInt32(bitPattern: specific))
        let all = [
            VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(uptime)),
            VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)),
        ] + varbinds
        let pdu = NotificationPDU(requestID: requestID, varbinds: all)
        return TrapMessage(version: .v2c, community: communityOctets, pdu: inform ? .inform(pdu) : .trapV2(pdu))
    }

    private func sendInform(_ datagram: [UInt8], message: TrapMessage, client: UDPClient) throws {
        guard case .inform(let sent) = message.pdu else { return }
        let start = ContinuousClock.now
        for attempt in 0...retries {
            do {
                try client.send(datagram)
                let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(timeout * 1000)))
                while ContinuousClock.now < deadline {
                    let left = Double((deadline - ContinuousClock.now).components.attoseconds) / 1e18
                        + Double((deadline - ContinuousClock.now).components.seconds)
                    guard let reply = try client.receive(timeout: max(0.001, left)) else { break }
                    if Self.isResponse(reply, to: sent.requestID) {
                        let elapsed = ContinuousClock.now - start
                        print("inform acknowledged by \(to) (request-id \(sent.requestID), attempt \(attempt + 1), \(elapsed))")
                        return
                    }
                }
            } catch {
                if attempt == retries {
                    printError("trapmux send: \(error)")
                    throw ExitCode(1)
                }
            }
        }
        printError("trapmux send: no response to the inform from \(to) after \(retries + 1) attempts")
        throw ExitCode(1)
    }

    /// Whether `datagram` is a v2c Response-PDU with `requestID`.
    static func isResponse(_ datagram: [UInt8], to requestID: Int32) -> Bool {
        InformResponse.requestID(of: datagram) == requestID
    }

    static func interfaceVarbinds(operStatus: Int32) -> [VarBind] {
        [
            VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.1")!, value: .integer(1)),
            VarBind(oid: OID("1.3.6.1.2.1.2.2.1.7.1")!, value: .integer(1)),
            VarBind(oid: OID("1.3.6.1.2.1.2.2.1.8.1")!, value: .integer(operStatus)),
        ]
    }
}

/// Parses `OID=TYPE:VALUE` varbind arguments.
enum VarBindArgument {
    static func parse(_ text: String) throws -> VarBind {
        guard let equals = text.firstIndex(of: "="), let oid = OID(text[..<equals]) else {
            throw ValidationError("--varbind \(text): expected OID=TYPE:VALUE, e.g. 1.3.6.1.2.1.1.5.0=s:router1")
        }
        let rest = text[text.index(after: equals)...]
        guard let colon = rest.firstIndex(of: ":") else {
            throw ValidationError("--varbind \(text): expected TYPE:VALUE after '='")
        }
        let type = rest[..<colon]
        let value = String(rest[rest.index(after: colon)...])
        let parsed: SNMPValue?
        switch type {
        case "i": parsed = Int32(value).map { .integer($0) }
        case "u": parsed = UInt32(value).map { .gauge32($0) }
        case "c": parsed = UInt32(value).map { .counter32($0) }
        case "C": parsed = UInt64(value).map { .counter64($0) }
        case "t": parsed = UInt32(value).map { .timeTicks($0) }
        case "s": parsed = .octetString(Array(value.utf8)[...])
        case "x": parsed = HexText.decoded(Array(value.utf8)).map { .octetString($0[...]) }
        case "o": parsed = OID(value).map { .objectIdentifier($0) }
        case "a": parsed = IPv4Address(value).map { .ipAddress($0) }
        case "n": parsed = .null
        default: parsed = nil
        }
        guard let parsed else {
            throw ValidationError("--varbind \(text): '\(value)' is not a valid value of type \(type)")
        }
        return VarBind(oid: oid, value: parsed)
    }
}
