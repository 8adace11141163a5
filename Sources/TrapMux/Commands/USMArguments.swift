import ArgumentParser
import SNMPSecurity
import TrapDecoder
import TrapMuxServer

// The closed sets of SNMPv3 options, parsed as net-snmp parses them (any letter case); an unknown value is refused
// with the list of allowed ones (ArgumentParser's message lists `allValueStrings`).

extension USMAuthProtocol: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? Self(parsing: argument) else { return nil }
        self = parsed
    }
}

extension USMPrivProtocol: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? Self(parsing: argument) else { return nil }
        self = parsed
    }
}

extension SNMPSecurityLevel: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? Self(parsing: argument) else { return nil }
        self = parsed
    }
}

/// An snmpEngineID on the command line: hex as net-snmp takes it (`0x80001f8804…` or without `0x`), 5 to 32 octets
/// (RFC 3411 SnmpEngineID).
struct EngineIDArgument: ExpressibleByArgument, Sendable, Equatable {
    let octets: [UInt8]

    init?(argument: String) {
        guard let octets = HexText.octets(argument), (5...32).contains(octets.count) else { return nil }
        self.octets = octets
    }

    init(octets: [UInt8]) {
        self.octets = octets
    }
}
