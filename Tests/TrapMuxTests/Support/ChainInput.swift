import Foundation
import TrapDecoder
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// A notification sent into a relay chain and what the upstream trapmux must receive for it, worked out from
/// RFC 3584 §3.1 and the datagram's expected decode (the corpus JSON, or the bench packet's fields), never from
/// what trapmux itself produced.
struct ChainInput {
    /// The relayed SNMPv2-Trap as the upstream must see it.
    struct Expected {
        let trapOID: String
        /// Every varbind, in order, as `varbindText` writes it.
        let varbinds: [String]
        /// snmpTrapAddress.0: the v1 agent-addr, or the UDP sender of a v2c notification that had none.
        let agentAddress: String
        /// For SNMPv1 input, the fields the upstream maps back to (RFC 3584 §3.2).
        let v1: (generic: Int, specific: Int, enterprise: String)?
    }

    let name: String
    let datagram: [UInt8]
    let expected: Expected

    static let sysUpTime0 = "1.3.6.1.2.1.1.3.0"
    static let snmpTrapOID0 = "1.3.6.1.6.3.1.1.4.1.0"
    static let snmpTrapEnterprise0 = "1.3.6.1.6.3.1.1.4.3.0"
    static let snmpTrapAddress0 = "1.3.6.1.6.3.18.1.3.0"
    static let snmpTrapCommunity0 = "1.3.6.1.6.3.18.1.4.0"
    static let snmpTraps = "1.3.6.1.6.3.1.1.5"

    /// Every SNMPv1 and SNMPv2c notification of the public corpus, then every bench packet, as sent from `source`.
    static func corpusAndBenchTraps(sentFrom source: String) throws -> [ChainInput] {
        var inputs: [ChainInput] = []
        let corpus = PackagePaths.publicCorpus
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".json") }
        for file in files.sorted() {
            let data = try Data(contentsOf: corpus.appendingPathComponent(file))
            guard let decode = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                ["1", "2c"].contains(decode["version"] as? String ?? ""),
                let expected = expected(from: decode, source: source)
            else { continue }
            let name = String(file.dropLast(".json".count))
            let datagram = try Data(contentsOf: corpus.appendingPathComponent(name + ".bin"))
            inputs.append(ChainInput(name: name, datagram: Array(datagram), expected: expected))
        }
        let packets = PackagePaths.shared.appendingPathComponent("bench/packets")
        let packetFiles = try FileManager.default.contentsOfDirectory(atPath: packets.path)
        for file in packetFiles.sorted() where file.hasSuffix(".bin") {
            let datagram = Array(try Data(contentsOf: packets.appendingPathComponent(file)))
            let message = try TrapMessage(decoding: datagram)
            guard let expected = expected(from: corpusForm(message), source: source) else {
                throw RunningServer.ServerFailure(description: "bench packet \(file) is not a v1 or v2c trap")
            }
            inputs.append(ChainInput(name: "bench/\(file)", datagram: datagram, expected: expected))
        }
        return inputs
    }

    /// RFC 3584 §3.1 applied to a decode in the corpus schema; nil for anything but a v1 or v2c notification.
    static func expected(from decode: [String: Any], source: String) -> Expected? {
        let original = decode["varbinds"] as? [[String: Any]] ?? []
        let community = "\(snmpTrapCommunity0) OctetString 0x\(decode["community_hex"] as? String ?? "")"
        switch decode["pdu_type"] as? String {
        case "trap-v1":
            guard let generic = decode["generic_trap"] as? Int, (0...6).contains(generic),
                let specific = decode["specific_trap"] as? Int, let enterprise = decode["enterprise"] as? String,
                let agent = decode["agent_addr"] as? String, let timeStamp = decode["time_stamp"] as? Int
            else { return nil }
            // enterpriseSpecific: the enterprise, a 0 and the specific code; otherwise snmpTraps.(generic + 1).
            let trapOID = generic == 6 ? "\(enterprise).0.\(specific)" : "\(snmpTraps).\(generic + 1)"
            let varbinds =
                ["\(sysUpTime0) TimeTicks \(timeStamp)", "\(snmpTrapOID0) ObjectIdentifier \(trapOID)"]
                + original.map(varbindText)
                + [
                    "\(snmpTrapAddress0) IpAddress \(agent)", community,
                    "\(snmpTrapEnterprise0) ObjectIdentifier \(enterprise)",
                ]
            return Expected(
                trapOID: trapOID, varbinds: varbinds, agentAddress: agent,
                v1: (generic: generic, specific: specific, enterprise: enterprise))
        case "trap-v2", "inform":
            func value(of oid: String) -> String? {
                original.first { $0["oid"] as? String == oid }.map { "\($0["value"] ?? "")" }
            }
            guard let trapOID = value(of: snmpTrapOID0) else { return nil }
            // Only what the notification lacks is added: an agent's own snmpTrapAddress.0 stays as it is.
            let address = value(of: snmpTrapAddress0)
            var varbinds = original.map(varbindText)
            if address == nil { varbinds.append("\(snmpTrapAddress0) IpAddress \(source)") }
            if value(of: snmpTrapCommunity0) == nil { varbinds.append(community) }
            return Expected(trapOID: trapOID, varbinds: varbinds, agentAddress: address ?? source, v1: nil)
        default:
            return nil
        }
    }

    /// One varbind of event or corpus JSON as "OID TYPE VALUE", octets as 0x-prefixed hex.
    static func varbindText(_ varbind: [String: Any]) -> String {
        let oid = varbind["oid"] as? String ?? "?"
        let type = varbind["type"] as? String ?? "?"
        if let hex = varbind["value_hex"] as? String { return "\(oid) \(type) 0x\(hex)" }
        switch varbind["value"] {
        case nil, is NSNull: return "\(oid) \(type) null"
        case let value?: return "\(oid) \(type) \(value)"
        }
    }

    /// A decoded message in the corpus schema (`corpus/public/README.md`), for packets that come without one.
    static func corpusForm(_ message: TrapMessage) -> [String: Any] {
        var form: [String: Any] = [
            "version": message.version == .v1 ? "1" : "2c",
            "community_hex": hex(message.community ?? []),
        ]
        switch message.pdu {
        case .trapV1(let trap):
            form["pdu_type"] = "trap-v1"
            form["enterprise"] = trap.enterprise.description
            form["agent_addr"] = trap.agentAddress.description
            form["generic_trap"] = Int(trap.genericTrap)
            form["specific_trap"] = Int(trap.specificTrap)
            form["time_stamp"] = Int(trap.timeStamp)
            form["varbinds"] = trap.varbinds.map(corpusForm)
        case .trapV2(let notification), .inform(let notification):
            form["pdu_type"] = "trap-v2"
            form["varbinds"] = notification.varbinds.map(corpusForm)
        case .encrypted:
            form["pdu_type"] = "encrypted"
        }
        return form
    }

    private static func corpusForm(_ varbind: VarBind) -> [String: Any] {
        var form: [String: Any] = ["oid": varbind.oid.description, "type": varbind.value.typeName]
        switch varbind.value {
        case .integer(let value): form["value"] = Int(value)
        case .counter32(let value), .gauge32(let value), .timeTicks(let value): form["value"] = Int(value)
        case .counter64(let value): form["value"] = value
        case .octetString(let octets), .opaque(let octets): form["value_hex"] = hex(octets)
        case .objectIdentifier(let oid): form["value"] = oid.description
        case .ipAddress(let address): form["value"] = address.description
        case .null, .noSuchObject, .noSuchInstance, .endOfMibView: break
        }
        return form
    }

    private static func hex(_ octets: some Collection<UInt8>) -> String {
        octets.map { String(format: "%02x", $0) }.joined()
    }
}
