/// The SNMP message versions trapmux accepts, with their numbers on the wire.
public enum SNMPVersion: Int32, Sendable, Hashable {
    case v1 = 0
    case v2c = 1
    case v3 = 3

    /// The name used in JSON and filters: "1", "2c" or "3".
    public var name: String { nameLiteral.description }

    /// The name as a literal, for renderers that write it without a String.
    public var nameLiteral: StaticString {
        switch self {
        case .v1: return "1"
        case .v2c: return "2c"
        case .v3: return "3"
        }
    }
}
