/// A closed set of values named in configuration, parsed with an error that lists the allowed names.
protocol USMNamed: RawRepresentable<String>, CaseIterable, Decodable {
    /// What the value configures, for error messages ("auth protocol").
    static var fieldName: String { get }
}

extension USMNamed {
    /// The value named `name` (exactly, or differing only in letter case, as net-snmp's options accept).
    static func parse(_ name: String) throws(USMConfigurationError) -> Self {
        if let exact = Self(rawValue: name) {
            return exact
        }
        if let folded = allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) {
            return folded
        }
        throw USMConfigurationError.unknownName(fieldName, name, allowed: allCases.map(\.rawValue))
    }

    /// Decodes from a string, rejecting unknown names with the list of allowed ones.
    static func decode(from decoder: any Decoder) throws -> Self {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        do {
            return try parse(name)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}
