import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// MIB names through real net-snmp and the standard MIB text (scripts/ensure-mibs), via the built binary.
@Suite struct MIBNameTests {
    private static let exampleMIBs = PackagePaths.root.appendingPathComponent("config/mibs").path

    /// `trapmux decode --json` of `datagram` with `arguments`; the decoded object and standard error.
    private func decode(_ datagram: [UInt8], _ arguments: [String] = []) async throws -> ([String: Any], String) {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.file("trap.bin", datagram)
        let result = try await TrapMuxBinary.run(["decode", "--json", file.path] + arguments)
        #expect(result.exited(0), "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput)) as? [String: Any] ?? [:]
        return (object, result.stderr)
    }

    private func varbindNames(_ object: [String: Any]) -> [String?] {
        (object["varbinds"] as? [[String: Any]] ?? []).map { $0["name"] as? String }
    }

    private static func v1(enterprise: String, generic: GenericTrap, specific: Int32 = 0, varbinds: [VarBind]) -> [UInt8] {
        let trap = TrapV1PDU(
            enterprise: OID(enterprise)!, agentAddress: IPv4Address("192.0.2.7")!, genericTrap: generic.rawValue,
            specificTrap: specific, timeStamp: 100, varbinds: VarBindList(varbinds))
        return TrapMessage(version: .v1, community: Array("public".utf8)[...], pdu: .trapV1(trap)).encoded()!
    }

    private static func v2c(trapOID: String, varbinds: [VarBind] = []) -> [UInt8] {
        let pdu = NotificationPDU(
            requestID: 1,
            varbinds: VarBindList([
                VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(100)),
                VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(OID(trapOID)!)),
            ] + varbinds))
        return TrapMessage(version: .v2c, community: Array("public".utf8)[...], pdu: .trapV2(pdu)).encoded()!
    }

    private static let interfaceVarbinds = [
        VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.2")!, value: .integer(2)),
        VarBind(oid: OID("1.3.6.1.2.1.2.2.1.7.2")!, value: .integer(1)),
        VarBind(oid: OID("1.3.6.1.2.1.2.2.1.8.2")!, value: .integer(2)),
    ]

    @Test func coldStartIsNamed() async throws {
        let (object, _) = try await decode(Self.v2c(trapOID: "1.3.6.1.6.3.1.1.5.1"))
        #expect(object["trap_name"] as? String == "SNMPv2-MIB::coldStart")
        #expect(varbindNames(object) == ["SNMPv2-MIB::sysUpTime.0", "SNMPv2-MIB::snmpTrapOID.0"])
    }

    @Test func linkDownInterfaceInstancesAreNamedInV1AndV2c() async throws {
        let expected = ["RFC1213-MIB::ifIndex.2", "RFC1213-MIB::ifAdminStatus.2", "RFC1213-MIB::ifOperStatus.2"]
        let (v1, _) = try await decode(
            Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds))
        #expect(varbindNames(v1) == expected)
        #expect(v1["enterprise_name"] as? String == "NET-SNMP-TC::linux")
        let (v2, _) = try await decode(Self.v2c(trapOID: "1.3.6.1.6.3.1.1.5.3", varbinds: Self.interfaceVarbinds))
        #expect(Array(varbindNames(v2).dropFirst(2)) == expected)
        #expect((v2["trap_name"] as? String)?.hasPrefix("SNMPv2-MIB::") == true)
        // Numeric OIDs stay beside the names.
        #expect((v2["varbinds"] as? [[String: Any]])?[2]["oid"] as? String == "1.3.6.1.2.1.2.2.1.1.2")
    }

    @Test func theOperatorTextShowsNames() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.file(
            "trap.bin", Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds))
        let result = try await TrapMuxBinary.run(["decode", file.path])
        #expect(result.stdout.contains("Enterprise: NET-SNMP-TC::linux "))
        #expect(result.stdout.contains("(varbind 1 OID=RFC1213-MIB::ifIndex.2, type=INTEGER, value=2)"))
    }

    @Test func anUnknownEnterpriseStaysNumeric() async throws {
        let (object, _) = try await decode(
            Self.v1(enterprise: "1.3.6.1.4.1.99999.1", generic: .enterpriseSpecific, specific: 3, varbinds: []))
        #expect(object["enterprise"] as? String == "1.3.6.1.4.1.99999.1")
        #expect(object["enterprise_name"] == nil)
        #expect(object["trap_name"] == nil)
    }

    @Test func aSiteMIBInAConfiguredFolderNamesItsNotifications() async throws {
        let trap = Self.v2c(
            trapOID: "1.3.6.1.4.1.8072.9999.9999.162.0.1",
            varbinds: [VarBind(oid: OID("1.3.6.1.4.1.8072.9999.9999.162.1.1.0")!, value: .octetString(Array("front".utf8)[...]))])
        let (named, _) = try await decode(trap, ["--mib-dir", Self.exampleMIBs])
        #expect(named["trap_name"] as? String == "TRAPMUX-EXAMPLE-MIB::exampleDoorOpened")
        #expect(varbindNames(named).last == "TRAPMUX-EXAMPLE-MIB::exampleDoorName.0")
        #expect(named["enterprise_name"] as? String == "TRAPMUX-EXAMPLE-MIB::trapmuxExampleMIB")
        let (unnamed, _) = try await decode(trap)
        #expect(unnamed["trap_name"] as? String != "TRAPMUX-EXAMPLE-MIB::exampleDoorOpened")
    }

    @Test func mibsSwitchedOffGiveNumericOIDsOnly() async throws {
        let (object, _) = try await decode(
            Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds),
            ["--no-mibs"])
        #expect(object["enterprise_name"] == nil)
        #expect(object["trap_name"] == nil)
        #expect(varbindNames(object) == [nil, nil, nil])
    }

    @Test func aMissingFolderAndABrokenMIBFileGiveOneWarningEachAndDecodingGoesOn() async throws {
        let broken = try TemporaryDirectory()
        defer { broken.remove() }
        _ = try broken.file(
            "BROKEN-MIB.txt",
            Array("BROKEN-MIB DEFINITIONS ::= BEGIN\nIMPORTS nothing FROM NOWHERE-MIB;\nbrokenThing OBJECT-TYPE SYNTAX ::= { }\nEND\n".utf8))
        let (object, stderr) = try await decode(
            Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .coldStart, varbinds: []),
            ["--mib-dir", "/nonexistent/trapmux-mibs", "--mib-dir", broken.url.path])
        #expect(object["enterprise_name"] as? String == "NET-SNMP-TC::linux")
        let missing = stderr.split(separator: "\n").filter { $0.contains("/nonexistent/trapmux-mibs") }
        #expect(missing.count == 1)
        #expect(stderr.contains("BROKEN-MIB.txt"))
    }

    /// The standard MIB set loads without a word from one-shot commands: UCD-SNMP-MIB gets its HCNUM-TC
    /// (config/standard-mibs), and what cannot load cleanly is serve's to report.
    @Test func oneShotCommandsSayNothingAboutTheStandardMIBFiles() async throws {
        let translate = try await TrapMuxBinary.run(["translate", "1.3.6.1.4.1.2021.10.1.3.1"])
        #expect(translate.exited(0), "\(translate)")
        #expect(translate.stdout == "UCD-SNMP-MIB::laLoad.1\n")
        #expect(translate.stderr.isEmpty, "\(translate.stderr)")
        let (object, stderr) = try await decode(
            Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds))
        // linkDown is IF-MIB's, which erlang-snmp lacks (README, "MIB names").
        #expect(object["trap_name"] as? String == "SNMPv2-MIB::snmpTraps.3")
        #expect(stderr.isEmpty, "\(stderr)")
    }

    /// serve names each MIB file that has errors once, at its start, with net-snmp's reason; UCD-SNMP-MIB is not one.
    @Test func serveNamesMIBFilesWithErrorsOnceAtStart() async throws {
        let server = try await RunningServer(configuration: "[mibs]\ndirectories = [\"/usr/share/trapmux/mibs\"]\n")
        let result = await server.stop()
        let lines = result.stderrLines.filter { $0.contains("MIB file has errors") }
        #expect(!lines.contains { $0.contains("UCD-SNMP-MIB") }, "\(lines)")
        #expect(Set(lines).count == lines.count, "\(lines)")
        #expect(lines.allSatisfy { $0.contains("mib.error=") }, "\(lines)")
        #expect(result.stderr.contains("mib.files_with_errors=\(lines.count)"), "\(result.stderr)")
    }

    @Test func serverEventsCarryNamesBesideNumbers() async throws {
        let server = try await RunningServer(
            name: "named", configuration: "[mibs]\ndirectories = [\"/usr/share/trapmux/mibs\", \"\(Self.exampleMIBs)\"]\n")
        let subscriber = try server.connect()
        try subscriber.subscribe()
        try server.send([Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds)])
        let event = try subscriber.readTraps(1)[0]
        #expect(event["enterprise_name"] as? String == "NET-SNMP-TC::linux")
        #expect(event["enterprise"] as? String == "1.3.6.1.4.1.8072.3.2.10")
        #expect(varbindNames(event) == ["RFC1213-MIB::ifIndex.2", "RFC1213-MIB::ifAdminStatus.2", "RFC1213-MIB::ifOperStatus.2"])
        #expect((event["text"] as? String)?.contains("OID=RFC1213-MIB::ifIndex.2,") == true)
        let result = await server.stop()
        #expect(result.stderr.contains("MIBs loaded"))
    }

    @Test func subscribersChooseTheirFieldsAndEachShapeKeepsTheCore() async throws {
        let server = try await RunningServer(
            name: "shaped", configuration: "[mibs]\ndirectories = [\"/usr/share/trapmux/mibs\", \"\(Self.exampleMIBs)\"]\n")
        let everything = try server.connect()
        try everything.subscribe()
        let varbindsOnly = try server.connect()
        try varbindsOnly.subscribe(#"{"process_events": false, "fields": ["varbinds"]}"#)
        let textWithoutNames = try server.connect()
        try textWithoutNames.subscribe(#"{"process_events": false, "fields": ["text", "v3"]}"#)
        let core = try server.connect()
        try core.subscribe(#"{"process_events": false, "fields": []}"#)
        try server.send([Self.v1(enterprise: "1.3.6.1.4.1.8072.3.2.10", generic: .linkDown, varbinds: Self.interfaceVarbinds)])

        let full = try everything.readTraps(1)[0]
        let withVarbinds = try varbindsOnly.readTraps(1)[0]
        let withText = try textWithoutNames.readTraps(1)[0]
        let coreOnly = try core.readTraps(1)[0]
        let coreKeys = ["type", "seq", "received_at", "source", "version", "community", "pdu_type", "generic_trap",
                        "specific_trap", "enterprise", "agent_addr", "time_stamp", "trap_oid", "community_hex", "generic_name"]
        for event in [full, withVarbinds, withText, coreOnly] {
            for key in coreKeys {
                #expect(event[key] != nil, "\(key) missing from \(event.keys.sorted())")
            }
            #expect(event["seq"] as? Int == full["seq"] as? Int)
        }
        #expect(full["text"] != nil && full["varbinds"] != nil && full["enterprise_name"] != nil)

        #expect(withVarbinds["text"] == nil && withVarbinds["enterprise_name"] == nil)
        let varbinds = try #require(withVarbinds["varbinds"] as? [[String: Any]])
        #expect(varbinds.count == 3 && varbinds.allSatisfy { $0["oid"] != nil && $0["name"] == nil })

        // The operator text names OIDs whenever MIB names are on, whether or not the JSON carries them.
        #expect(withText["varbinds"] == nil && withText["enterprise_name"] == nil)
        #expect((withText["text"] as? String) == (full["text"] as? String))

        #expect(Set(coreOnly.keys) == Set(coreKeys))
        _ = await server.stop()
    }
}
