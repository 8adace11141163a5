/// A TOML 1.0 value.
///
/// Arrays may mix types (TOML 1.0 allows it); an array of tables (`[[name]]`) is an array of `.table` values.
/// Values are at most `TOMLDocument.maximumDepth` arrays and tables deep, so walking one recursively is safe.
package enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// An offset or local date-time, a local date or a local time.
    case dateTime(TOMLDateTime)
    case array([TOMLValue])
    /// A table, however it was written: `[header]`, dotted keys, an inline table or an element of `[[header]]`.
    case table(TOMLTable)

    /// The value's type with an article, for error messages ("expected an integer, found a string").
    package var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .dateTime(let value): return value.typeName
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

/// A value with the line its key was written on.
package struct TOMLEntry: Equatable, Sendable {
    package let value: TOMLValue
    package let line: Int
}
