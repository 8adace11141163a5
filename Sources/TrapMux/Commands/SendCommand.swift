import ArgumentParser
import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux send`: sends a test trap or inform of any generic type to one address.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a test SNMP trap (v1, v2c or v3) or an inform that waits for its response.",
        discussion: """
            Varbinds are given as OID=TYPE:VALUE with TYPE one of i (INTEGER), u (Gauge32), c (Counter32), \
            C (Counter64), t (TimeTicks), s (string), x (hex string), o (OID), a (IpAddress), n (NULL). \
            linkDown and linkUp carry ifIndex, ifAdminStatus and ifOperStatus of interface 1 unless varbinds are given.

            SNMPv3 takes net-snmp's snmptrap/snmpinform options: --snmp-version 3 -u USER -l LEVEL -a AUTH -A PASS \
            -x PRIV -X PASS [-e ENGINEID] [-n CONTEXT]. A trap comes from this sender's engine (-e, boots \
            --engine-boots, time since the command started); an inform goes to the receiver's engine, found by \
            engine ID discovery unless -e names it.
            """ + " "
            + ExitStatus.summary(
                ok: "sent (an inform: acknowledged)",
                runtimeFailure: "sending failed, an inform got no response, or the --file cannot be read"))

    @Option(help: "Where to send: ip:port, e.g. 127.0.0.1:1162 or [::1]:1162.")
    var to: String

    @Option(help: "Generic trap: 0-6 or a name (coldStart, warmStart, linkDown, linkUp, authenticationFailure, egpNeighborLoss, enterpriseSpecific).")
    var generic = "coldStart"

    @Option(name: .customLong("snmp-version"), help: "SNMP version: 1, 2c or 3.")
    var snmpVersion = NotificationVersion.v1

    @Flag(help: "Send an InformRequest (SNMPv2c or SNMPv3) and wait for the Response.")
    var inform = false

    @Option(help: "Community string (SNMPv1 and SNMPv2c).")
    var community = "public"

    @Option(help: "Enterprise OID (v1 enterprise; v2c/v3 enterprise-specific traps become ENTERPRISE.0.SPECIFIC).")
    var enterprise = "1.3.6.1.4.1.8072.3.2.10"

    @Option(help: "Specific trap code (for enterpriseSpecific).")
    var specific: Int32 = 0

    @Option(help: "SNMPv1 agent-addr.")
    var agentAddr = "127.0.0.1"

    @Option(help: "sysUpTime / time-stamp in hundredths of a second.")
    var uptime: UInt32 = 4242

    @Option(name: .customLong("varbind"), help: "A varbind OID=TYPE:VALUE (repeatable).")
    var varbinds: [String] = []

    @OptionGroup(title: "SNMPv3 (net-snmp's options)")
    var v3: SNMPv3Options

    @Option(
        help: "How many copies to send (request-ids of v2c and v3 traps vary). Above 1, a batched load generator runs.")
    var count = 1

    @Option(help: "Datagrams per second for --count runs; 0 sends as fast as possible.")
    var rate = 0

    @Option(help: "Send this datagram file (raw or hex) instead of building a trap.")
    var file: String?

    @Option(help: "Stop a --count run after this many seconds even if not all were sent.")
    var maxSeconds = 60.0

    @Option(name: [.customShort("t"), .long], help: "Seconds to wait for each inform response (and discovery report).")
    var timeout = 1.0

    @Option(name: [.customShort("r"), .long], help: "Inform retransmissions before giving up.")
    var retries = 2

    @Flag(help: "Tell what happens: the SNMPv3 engine ID, boots and time, discovery, retransmissions, refused replies.")
    var verbose = false

    func validate() throws {
        guard HostPort(to) != nil else { throw ValidationError("--to \(to): expected ip:port such as 127.0.0.1:1162") }
        guard GenericTrap(nameOrNumber: generic) != nil else { throw ValidationError("--generic \(generic): expected 0–6 or a generic trap name") }
        guard !inform || snmpVersion != .v1 else { throw ValidationError("--inform needs --snmp-version 2c or 3") }
        guard OID(enterprise) != nil else { throw ValidationError("--enterprise \(enterprise) is not a dotted OID") }
        guard IPv4Address(agentAddr) != nil else { throw ValidationError("--agent-addr must be an IPv4 address") }
        guard (1...100_000_000).contains(count) else {
            throw ValidationError("--count must be 1…100000000: runs are always bounded")
        }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 (as fast as possible) or more") }
        guard maxSeconds > 0 && maxSeconds <= 3600 else { throw ValidationError("--max-seconds must be in (0, 3600]") }
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be in (0, 600] seconds") }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be 0…100") }
        guard file == nil || !inform else { throw ValidationError("--file cannot be combined with --inform") }
        if file != nil, v3.anyGiven {
            throw ValidationError("--file sends the datagram as it is: the SNMPv3 options do not apply to it")
        }
        if snmpVersion == .v3, file == nil {
            try v3.validate(inform: inform)
        } else if snmpVersion != .v3, v3.anyGiven {
            throw ValidationError(
                "-u, -l, -a, -A, -x, -X, -e, -E, -n, --engine-boots and --engine-time need --snmp-version 3")
        }
        for varbind in varbinds {
            _ = try VarBindArgument.parse(varbind)
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let generic = GenericTrap(nameOrNumber: self.generic)!
        if let file {
            let datagram: [UInt8]
            do {
                datagram = try DatagramFile.read(file)
            } catch {
                printError("trapmux send: \(error)")
                throw ExitStatus.runtimeFailure
            }
            try runLoad(.datagram(datagram))
            return
        }
        let enterprise = OID(enterprise)!
        var extra = try varbinds.map(VarBindArgument.parse)
        if extra.isEmpty && (generic == .linkDown || generic == .linkUp) {
            extra = Self.interfaceVarbinds(operStatus: generic == .linkDown ? 2 : 1)
        }
        if snmpVersion == .v3 {
            let pduVarbinds = notificationVarbinds(generic: generic, enterprise: enterprise, varbinds: extra)
            if inform {
                try sendV3Informs(generic: generic, varbinds: pduVarbinds, started: started)
            } else {
                try sendV3Traps(generic: generic, varbinds: pduVarbinds, started: started)
            }
            return
        }
        if count > 1 && !inform {
            // A 4-octet request-id, so every copy's can be patched in place.
            let message = makeMessage(generic: generic, enterprise: enterprise, varbinds: extra, requestID: 0x0100_0000)
            try runLoad(.datagram(message.encoded()!))
            return
        }
        let client = try openClient()
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
            print("sent \(count) \(generic.name) trap\(count == 1 ? "" : "s") (SNMPv\(snmpVersion.rawValue)) to \(to)")
        }
    }

    func openClient() throws -> UDPClient {
        try orExit { try UDPClient(to: HostPort(to)!) }
    }

    /// Runs `body`; a failure is printed as `trapmux send: …` and ends the command with exit status 1.
    func orExit<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            printError("trapmux send: \(error)")
            throw ExitCode(1)
        }
    }

    /// The load generator: --count datagrams, as fast as --rate allows.
    func runLoad(_ payload: LoadGenerator.Payload) throws {
        let generator = LoadGenerator(
            target: HostPort(to)!, payload: payload, count: count, rate: rate,
            maximumDuration: .milliseconds(Int(maxSeconds * 1000)))
        let outcome = try orExit { try generator.run() }
        // Notes in parentheses without colons: scripts read the rate after the line's last colon.
        var notes: [String] = []
        if outcome.sent < count { notes.append("stopped by --max-seconds") }
        if outcome.retries > 0 { notes.append("\(outcome.retries) sendmmsg calls retried after ENOBUFS/EAGAIN") }
        if outcome.refused > 0 { notes.append("\(outcome.refused) sends refused, ICMP port unreachable") }
        if outcome.cutShort > 0 { notes.append("\(outcome.cutShort) sendmmsg calls cut short, the rest resent") }
        print(
            "sent \(outcome.sent) datagrams of \(outcome.bytes) bytes to \(to) in "
                + "\(String(format: "%.3f", outcome.seconds)) s: \(Int(outcome.rate)) per second"
                + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"))
    }

    /// sysUpTime.0, snmpTrapOID.0 and the extra varbinds: an SNMPv2 notification's (RFC 3416 §4.2.6), with the
    /// trap OID of RFC 3584 §3.2 for the generic trap.
    private func notificationVarbinds(generic: GenericTrap, enterprise: OID, varbinds: [VarBind]) -> [VarBind] {
        let trapOID = generic.standardTrapOID ?? enterprise.appending(0).appending(UInt32(bitPattern: specific))
        return [
            VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(uptime)),
            VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)),
        ] + varbinds
    }

    private func makeMessage(generic: GenericTrap, enterprise: OID, varbinds: [VarBind], requestID: Int32) -> TrapMessage {
        let communityOctets = Array(community.utf8)[...]
        if snmpVersion == .v1 {
            let trap = TrapV1PDU(
                enterprise: enterprise, agentAddress: IPv4Address(agentAddr)!, genericTrap: generic.rawValue,
                specificTrap: generic == .enterpriseSpecific ? specific : 0, timeStamp: uptime,
                varbinds: VarBindList(varbinds))
            return TrapMessage(version: .v1, community: communityOctets, pdu: .trapV1(trap))
        }
        let all = notificationVarbinds(generic: generic, enterprise: enterprise, varbinds: varbinds)
        let pdu = NotificationPDU(requestID: requestID, varbinds: VarBindList(all))
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
                    let left = (deadline - ContinuousClock.now) / .seconds(1)
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
