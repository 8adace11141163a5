import ArgumentParser
import TrapDecoder
import TrapEvents
import TrapMuxServer

// The closed sets the command line takes, parsed by argument-parser, whose error lists the allowed values.

extension EventFormat: ExpressibleByArgument {}

extension LogFormat: ExpressibleByArgument {}

extension PairRole: ExpressibleByArgument {}

extension GenericTrap: ExpressibleByArgument {
    /// 0–6 or a name (`coldStart` … `enterpriseSpecific`, case-insensitive).
    public init?(argument: String) {
        self.init(nameOrNumber: argument)
    }

    /// The names, for help and errors.
    public static var allValueStrings: [String] { GenericTrap.allCases.map(\.name) }
}

extension SNMPVersion: ExpressibleByArgument {
    /// "1", "2c" or "3" (also "v1", "v2c", "v3").
    public init?(argument: String) {
        switch argument.lowercased() {
        case "1", "v1": self = .v1
        case "2c", "v2c": self = .v2c
        case "3", "v3": self = .v3
        default: return nil
        }
    }

    /// The names, for help and errors.
    public static var allValueStrings: [String] { ["1", "2c", "3"] }
}
