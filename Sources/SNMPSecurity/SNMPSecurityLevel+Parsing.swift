import TrapDecoder

extension SNMPSecurityLevel {
    /// The level named `name` (`noAuthNoPriv`, `authNoPriv`, `authPriv`, in any letter case); the error lists them.
    public init(parsing name: String) throws(USMConfigurationError) {
        guard let level = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw USMConfigurationError.unknownName("security level", name, allowed: Self.allCases.map(\.rawValue))
        }
        self = level
    }
}
