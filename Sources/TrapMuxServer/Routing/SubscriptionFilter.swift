#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// Which events a subscriber wants (SPEC §6): every present key must match (AND); within a key, any
/// listed value may match (OR). An absent or empty key matches everything.
package struct SubscriptionFilter: Sendable, Equatable {
    package var generic: Set<GenericTrap> = []
    /// OID prefixes matched against the v1 enterprise.
    package var enterprise: [OID] = []
    /// OID prefixes matched against the v2 notification OID.
    package var trapOID: [OID] = []
    /// Networks the datagram's source must be in.
    package var source: [CIDR] = []
    /// Communities, as octets.
    package var community: [[UInt8]] = []
    package var version: Set<SNMPVersion> = []
    /// SNMPv3 user names (securityName octets); only v3 notifications can match.
    package var user: [[UInt8]] = []
    /// SNMPv3 security levels; only v3 notifications can match.
    package var securityLevel: Set<SNMPSecurityLevel> = []

    /// A filter that matches every event.
    package init() {}

    /// The filter a request asks for; a value that is not a generic trap, an OID, a CIDR, a version or a security
    /// level is an error (`bad_filter`) that names the key.
    package init(_ request: FilterRequest) throws(SubscriberProtocol.RequestError) {
        func refuse(_ key: String, _ expected: String, _ found: String) -> SubscriberProtocol.RequestError {
            SubscriberProtocol.RequestError(code: "bad_filter", message: "\(key): expected \(expected), found \(found)")
        }
        for item in request.generic ?? [] {
            let text: String
            switch item {
            case .number(let number): text = String(number)
            case .name(let name): text = name
            }
            guard let generic = GenericTrap(nameOrNumber: text) else {
                throw refuse("generic", "0–6 or a generic trap name", item == .name(text) ? "\"\(text)\"" : text)
            }
            self.generic.insert(generic)
        }
        for text in request.enterprise ?? [] {
            guard let oid = OID(text) else { throw refuse("enterprise", "dotted OIDs such as \"1.3.6.1.4.1.9\"", "\"\(text)\"") }
            enterprise.append(oid)
        }
        for text in request.trapOID ?? [] {
            guard let oid = OID(text) else { throw refuse("trap_oid", "dotted OIDs such as \"1.3.6.1.6.3.1.1.5\"", "\"\(text)\"") }
            trapOID.append(oid)
        }
        for text in request.source ?? [] {
            guard let cidr = CIDR(text) else { throw refuse("source", "CIDRs such as \"192.0.2.0/24\"", "\"\(text)\"") }
            source.append(cidr)
        }
        community = (request.community ?? []).map { Array($0.utf8) }
        for text in request.version ?? [] {
            guard let version = Self.versions[text] else { throw refuse("version", "\"1\", \"2c\" or \"3\"", "\"\(text)\"") }
            self.version.insert(version)
        }
        user = (request.user ?? []).map { Array($0.utf8) }
        for text in request.securityLevel ?? [] {
            guard let level = SNMPSecurityLevel(rawValue: text) else {
                throw refuse("security_level", "noAuthNoPriv, authNoPriv or authPriv", "\"\(text)\"")
            }
            securityLevel.insert(level)
        }
    }

    /// The version names a filter accepts.
    private static let versions: [String: SNMPVersion] = ["1": .v1, "v1": .v1, "2c": .v2c, "v2c": .v2c, "3": .v3, "v3": .v3]

    /// A filter written as a JSON or TOML object: decoded as a `FilterRequest`, then checked.
    package static func parse(_ object: JSONValue) throws(SubscriberProtocol.RequestError) -> SubscriptionFilter {
        try SubscriptionFilter(SubscriberProtocol.decode(FilterRequest.self, from: object, code: "bad_filter"))
    }

    /// Whether a trap event passes the filter.
    package func matches(_ event: borrowing TrapEvent) -> Bool {
        if !generic.isEmpty && !generic.contains(event.classification.generic) { return false }
        if !enterprise.isEmpty && !enterprise.contains(where: { event.classification.enterprise.hasPrefix($0) }) {
            return false
        }
        if !trapOID.isEmpty {
            guard let oid = event.classification.trapOID, trapOID.contains(where: { oid.hasPrefix($0) }) else {
                return false
            }
        }
        if !source.isEmpty && !source.contains(where: { $0.contains(event.source.ip) }) { return false }
        if !community.isEmpty {
            guard let value = event.message.community, community.contains(where: { $0.elementsEqual(value) }) else {
                return false
            }
        }
        if !version.isEmpty && !version.contains(event.message.version) { return false }
        if !user.isEmpty {
            guard let name = event.message.v3?.usm?.userName, user.contains(where: { $0.elementsEqual(name) }) else {
                return false
            }
        }
        if !securityLevel.isEmpty {
            guard let level = event.message.v3?.acceptedSecurityLevel, securityLevel.contains(level) else { return false }
        }
        return true
    }
}

/// An IPv4 or IPv6 network such as `192.0.2.0/24` or `2001:db8::/32`.
package struct CIDR: Sendable, Equatable {
    package let network: [UInt8]
    package let prefixLength: Int

    /// Parses `address/length`, or a bare address (a host route).
    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let octets = IPAddress(String(first))?.octets else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : octets.count * 8
        guard let length, (0...(octets.count * 8)).contains(length) else { return nil }
        self.network = octets
        self.prefixLength = length
    }

    /// Whether `ip` (4 or 16 octets) lies in this network.
    package func contains(_ ip: [UInt8]) -> Bool {
        guard ip.count == network.count else { return false }
        var bits = prefixLength
        var index = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if ip[index] & mask != network[index] & mask { return false }
            bits -= 8
            index += 1
        }
        return true
    }
}
