/// The seven generic traps of RFC 1157 §4.1.6, which every notification is classified into.
public enum GenericTrap: Int32, CaseIterable, Sendable, Hashable {
    case coldStart = 0
    case warmStart = 1
    case linkDown = 2
    case linkUp = 3
    case authenticationFailure = 4
    case egpNeighborLoss = 5
    case enterpriseSpecific = 6

    /// The name used in JSON and filters, e.g. `linkDown`.
    public var name: String { nameLiteral.description }

    /// The name as a literal, for renderers that write it without a String.
    public var nameLiteral: StaticString {
        switch self {
        case .coldStart: return "coldStart"
        case .warmStart: return "warmStart"
        case .linkDown: return "linkDown"
        case .linkUp: return "linkUp"
        case .authenticationFailure: return "authenticationFailure"
        case .egpNeighborLoss: return "egpNeighborLoss"
        case .enterpriseSpecific: return "enterpriseSpecific"
        }
    }

    /// The title that starts the operator message (SPEC §5), e.g. `Link Down Trap`.
    public var title: String {
        switch self {
        case .coldStart: return "Coldstart Trap"
        case .warmStart: return "Warmstart Trap"
        case .linkDown: return "Link Down Trap"
        case .linkUp: return "Link Up Trap"
        case .authenticationFailure: return "Authentication Failure Trap"
        case .egpNeighborLoss: return "Exterior Gateway Protocol Neighbor Loss Trap"
        case .enterpriseSpecific: return "Enterprise Specific Trap"
        }
    }

    /// Looks a generic trap up by number (`2`) or by name (`linkDown`, case-insensitive).
    public init?(nameOrNumber text: some StringProtocol) {
        if let number = Int32(text), let trap = GenericTrap(rawValue: number) {
            self = trap
            return
        }
        guard let trap = GenericTrap.allCases.first(where: { $0.name.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = trap
    }

    /// The SNMPv2 notification OID of a generic trap 0–5 (snmpTraps.n+1, RFC 3584 §3.1); nil for 6.
    public var standardTrapOID: OID? {
        self == .enterpriseSpecific ? nil : WellKnownOID.snmpTraps.appending(UInt32(rawValue + 1))
    }
}
