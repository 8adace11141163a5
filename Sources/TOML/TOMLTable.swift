/// A TOML table: its keys in the order they were defined, each with its value and line.
package struct TOMLTable: Equatable, Sendable {
    /// The line of the table's `[header]`, or where it was first written (a dotted key, an inline table's `{`);
    /// 0 for the document's top level.
    package let line: Int
    /// The keys in the order they were defined.
    package let keys: [String]
    private let entries: [String: TOMLEntry]

    package init(line: Int, keys: [String], entries: [String: TOMLEntry]) {
        self.line = line
        self.keys = keys
        self.entries = entries
    }

    /// The value of `key` and the line it was defined on, if the table has it.
    package subscript(key: String) -> TOMLEntry? {
        entries[key]
    }

    /// The entries in the order they were defined.
    package var orderedEntries: [(key: String, entry: TOMLEntry)] {
        keys.compactMap { key in entries[key].map { (key, $0) } }
    }
}
