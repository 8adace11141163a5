/// Builds a document's tables while it is parsed, and enforces TOML 1.0's rules on defining them.
///
/// Tables live in one flat array and refer to each other by index, so a header or dotted key deep in the tree is
/// reached by a loop, not by recursion, and updated in place. The rules (as Python's `tomllib` applies them):
/// - a key is defined once;
/// - `[a.b]` defines table `a.b` once; its parent `a`, created on the way, may still get its own `[a]` once;
/// - tables created by dotted keys (`a.b = 1`) can be extended by more dotted keys in the same section only,
///   and never get a `[header]` of their own (sub-tables of them may);
/// - a section's dotted keys cannot reach into a table defined by a header;
/// - inline tables `{…}` and arrays `[…]` are complete: nothing is added to them later;
/// - `[[a]]` appends a table to array `a`, which must have been made by `[[a]]`; `[a.b]` after it goes into
///   the last element.
/// Every table and array is at most `maximumDepth` deep, counting each table and array between it and the top.
package struct TOMLTreeBuilder {
    /// A value on its way into the tree; inline tables are tables of the builder.
    package indirect enum Item {
        case scalar(TOMLValue)
        case array([Item])
        case table(Int)
    }

    private enum Origin: Equatable {
        /// Named on the path of a header (`a` in `[a.b]`), not defined itself.
        case implicit
        /// Defined by `[header]`, or an element of `[[header]]` (or the top level).
        case header
        /// Created by a dotted key of the section or inline table `scope`.
        case dotted(scope: Int)
        /// An inline table: complete once written.
        case inline
    }

    private enum Slot {
        case value(Item, line: Int)
        case table(Int, line: Int)
        /// An array of tables made by `[[header]]`: an index into `tableArrays`.
        case tableArray(Int, line: Int)
    }

    private struct Node {
        var line: Int
        var depth: Int
        var origin: Origin
        var keys: [String] = []
        var slots: [String: Slot] = [:]
    }

    private let maximumDepth: Int
    private var nodes: [Node] = [Node(line: 0, depth: 0, origin: .header)]
    private var tableArrays: [[Int]] = []

    /// The top-level table.
    package static let root = 0

    package init(maximumDepth: Int) {
        self.maximumDepth = maximumDepth
    }

    /// How deep `table` is: 0 for the top level, one more for each table or array around it.
    package func depth(of table: Int) -> Int {
        nodes[table].depth
    }

    // MARK: Headers

    /// `[path]`: defines the table and returns it.
    package mutating func defineTable(_ path: [String], line: Int) throws(TOMLSyntaxError) -> Int {
        let parent = try headerParent(path, line: line)
        let key = path[path.count - 1]
        switch nodes[parent].slots[key] {
        case nil:
            return try addTable(key, in: parent, origin: .header, line: line)
        case .table(let table, _) where nodes[table].origin == .implicit:
            nodes[table].origin = .header
            nodes[table].line = line
            return table
        case .table(let table, _):
            let how = nodes[table].origin == .inline ? "as an inline table" : nodes[table].origin == .header ? "" : "by dotted keys"
            throw Self.redefinition(
                "table [\(Self.display(path))] is already defined\(how.isEmpty ? "" : " " + how) (line \(nodes[table].line))",
                line: line)
        case .tableArray(_, let first):
            throw Self.redefinition("[\(Self.display(path))] is already an array of tables (line \(first))", line: line)
        case .value(_, let first):
            throw Self.redefinition("[\(Self.display(path))]: the key already has a value (line \(first))", line: line)
        }
    }

    /// `[[path]]`: appends a table to the array of tables and returns it.
    package mutating func appendTable(_ path: [String], line: Int) throws(TOMLSyntaxError) -> Int {
        let parent = try headerParent(path, line: line)
        let key = path[path.count - 1]
        switch nodes[parent].slots[key] {
        case nil:
            try checkDepth(nodes[parent].depth + 2, line: line)
            tableArrays.append([])
            nodes[parent].keys.append(key)
            nodes[parent].slots[key] = .tableArray(tableArrays.count - 1, line: line)
            let element = newNode(line: line, depth: nodes[parent].depth + 2, origin: .header)
            tableArrays[tableArrays.count - 1].append(element)
            return element
        case .tableArray(let array, _):
            let element = newNode(line: line, depth: nodes[parent].depth + 2, origin: .header)
            tableArrays[array].append(element)
            return element
        case .table(let table, _):
            throw Self.redefinition("[[\(Self.display(path))]]: already a table (line \(nodes[table].line))", line: line)
        case .value(_, let first):
            throw Self.redefinition(
                "[[\(Self.display(path))]]: the key already has a value (line \(first)); "
                    + "[[…]] cannot add to an array written with […]",
                line: line)
        }
    }

    /// The table a header's last key goes into: walks (and creates) the tables before it, entering the last
    /// element of arrays of tables.
    private mutating func headerParent(_ path: [String], line: Int) throws(TOMLSyntaxError) -> Int {
        var table = Self.root
        for (position, key) in path.dropLast().enumerated() {
            switch nodes[table].slots[key] {
            case nil:
                table = try addTable(key, in: table, origin: .implicit, line: line)
            case .table(let next, _):
                guard nodes[next].origin != .inline else {
                    throw Self.redefinition(
                        "[\(Self.display(path))]: \(Self.display(path[...position])) is an inline table "
                            + "(line \(nodes[next].line)), which cannot be extended",
                        line: line)
                }
                table = next
            case .tableArray(let array, _):
                table = tableArrays[array][tableArrays[array].count - 1]
            case .value(_, let first):
                throw Self.redefinition(
                    "[\(Self.display(path))]: \(Self.display(path[...position])) already has a value (line \(first))",
                    line: line)
            }
        }
        return table
    }

    // MARK: Key/value pairs

    /// `path = item` in `table`, written in the section or inline table `scope`.
    package mutating func insert(_ path: [String], _ item: Item, in table: Int, scope: Int, line: Int) throws(TOMLSyntaxError) {
        var table = table
        for (position, key) in path.dropLast().enumerated() {
            switch nodes[table].slots[key] {
            case nil:
                table = try addTable(key, in: table, origin: .dotted(scope: scope), line: line)
            case .table(let next, _):
                switch nodes[next].origin {
                case .dotted(let owner) where owner == scope:
                    break
                case .implicit:
                    nodes[next].origin = .dotted(scope: scope)
                case .inline:
                    throw Self.redefinition(
                        "\(Self.display(path)): \(Self.display(path[...position])) is an inline table "
                            + "(line \(nodes[next].line)), which cannot be extended",
                        line: line)
                case .header, .dotted:
                    throw Self.redefinition(
                        "\(Self.display(path)): table \(Self.display(path[...position])) is defined elsewhere "
                            + "(line \(nodes[next].line)); dotted keys cannot add to it here",
                        line: line)
                }
                table = next
            case .tableArray(_, let first):
                throw Self.redefinition(
                    "\(Self.display(path)): \(Self.display(path[...position])) is an array of tables (line \(first))",
                    line: line)
            case .value(_, let first):
                throw Self.redefinition(
                    "\(Self.display(path)): \(Self.display(path[...position])) already has a value (line \(first))",
                    line: line)
            }
        }
        let key = path[path.count - 1]
        if let existing = nodes[table].slots[key] {
            let first: Int
            switch existing {
            case .value(_, let line), .table(_, let line), .tableArray(_, let line): first = line
            }
            throw Self.redefinition("key \(Self.display(path)) is defined twice (first on line \(first))", line: line)
        }
        nodes[table].keys.append(key)
        nodes[table].slots[key] = .value(item, line: line)
    }

    // MARK: Inline tables

    /// A new, empty inline table `depth` deep, filled with `insert(_:_:in:scope:line:)` while its `{…}` is read.
    /// Nothing reaches into it from outside: it is only inserted as a value once complete.
    package mutating func openInlineTable(depth: Int, line: Int) throws(TOMLSyntaxError) -> Int {
        try checkDepth(depth, line: line)
        return newNode(line: line, depth: depth, origin: .inline)
    }

    // MARK: The result

    /// The finished tree from the top level.
    package func document() -> TOMLTable {
        table(Self.root)
    }

    /// Recursion here is bounded by the depth limit.
    private func table(_ index: Int) -> TOMLTable {
        let node = nodes[index]
        var entries: [String: TOMLEntry] = [:]
        entries.reserveCapacity(node.keys.count)
        for key in node.keys {
            switch node.slots[key]! {
            case .value(let item, let line):
                entries[key] = TOMLEntry(value: value(item), line: line)
            case .table(let table, let line):
                entries[key] = TOMLEntry(value: .table(self.table(table)), line: line)
            case .tableArray(let array, let line):
                entries[key] = TOMLEntry(value: .array(tableArrays[array].map { .table(self.table($0)) }), line: line)
            }
        }
        return TOMLTable(line: node.line, keys: node.keys, entries: entries)
    }

    private func value(_ item: Item) -> TOMLValue {
        switch item {
        case .scalar(let value): return value
        case .array(let items): return .array(items.map(value))
        case .table(let index): return .table(table(index))
        }
    }

    // MARK: Helpers

    private mutating func addTable(_ key: String, in parent: Int, origin: Origin, line: Int) throws(TOMLSyntaxError) -> Int {
        try checkDepth(nodes[parent].depth + 1, line: line)
        let table = newNode(line: line, depth: nodes[parent].depth + 1, origin: origin)
        nodes[parent].keys.append(key)
        nodes[parent].slots[key] = .table(table, line: line)
        return table
    }

    private mutating func newNode(line: Int, depth: Int, origin: Origin) -> Int {
        nodes.append(Node(line: line, depth: depth, origin: origin))
        return nodes.count - 1
    }

    package func checkDepth(_ depth: Int, line: Int) throws(TOMLSyntaxError) {
        guard depth <= maximumDepth else {
            throw TOMLSyntaxError(
                .nestingTooDeep, line: line,
                "nesting too deep: more than \(maximumDepth) arrays and tables inside one another")
        }
    }

    private static func redefinition(_ reason: String, line: Int) -> TOMLSyntaxError {
        TOMLSyntaxError(.redefinition, line: line, reason)
    }

    /// A key path as it could be written: bare parts as they are, others quoted.
    package static func display<Path: Collection<String>>(_ path: Path) -> String {
        path.map { part in
            !part.isEmpty && part.utf8.allSatisfy(TOMLScanner.isBareKey) ? part : "\"" + part + "\""
        }.joined(separator: ".")
    }
}
