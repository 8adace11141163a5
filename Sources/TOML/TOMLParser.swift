/// Reads a TOML 1.0 document expression by expression: blank lines and comments, `[table]` and `[[array]]`
/// headers, and `key = value` pairs, whose values may be arrays and inline tables.
///
/// Values are read by recursive descent, bounded by the depth limit: an array or inline table deeper than
/// `maximumDepth` is an error before the parser goes into it, so no input can exhaust the stack.
package struct TOMLParser {
    private var scanner: TOMLScanner
    private var builder: TOMLTreeBuilder
    /// Numbers the sections and inline tables, for the rules on dotted keys (see `TOMLTreeBuilder`).
    private var scopes = 0

    package init(_ bytes: [UInt8], maximumDepth: Int) {
        scanner = TOMLScanner(bytes)
        builder = TOMLTreeBuilder(maximumDepth: maximumDepth)
    }

    /// The whole document, as its top-level table.
    package mutating func parse() throws(TOMLSyntaxError) -> TOMLTable {
        var table = TOMLTreeBuilder.root
        var scope = newScope()
        while !scanner.isAtEnd {
            scanner.skipWhitespace()
            switch scanner.peek() {
            case .openBracket:
                table = try header()
                scope = newScope()
                try scanner.endLine(after: "the table header")
            case nil, .hash, .lineFeed, .carriageReturn:
                try scanner.endLine(after: "a comment")
            default:
                try keyValue(in: table, scope: scope)
                try scanner.endLine(after: "the value")
            }
        }
        return builder.document()
    }

    private mutating func newScope() -> Int {
        scopes += 1
        return scopes
    }

    /// `[a.b]` or `[[a.b]]`: the table that the following keys go into.
    private mutating func header() throws(TOMLSyntaxError) -> Int {
        let line = scanner.line
        scanner.advance()
        let isArray = scanner.consume(.openBracket)
        scanner.skipWhitespace()
        let path = try scanner.key()
        scanner.skipWhitespace()
        guard scanner.consume(.closeBracket), !isArray || scanner.consume(.closeBracket) else {
            throw scanner.unexpected("in the table header; expected '\(isArray ? "]]" : "]")'")
        }
        return isArray ? try builder.appendTable(path, line: line) : try builder.defineTable(path, line: line)
    }

    /// `key = value` into `table`, written in the section or inline table `scope`.
    private mutating func keyValue(in table: Int, scope: Int) throws(TOMLSyntaxError) {
        let line = scanner.line
        let path = try scanner.key()
        scanner.skipWhitespace()
        guard scanner.consume(.equals) else {
            throw scanner.unexpected("after the key \(TOMLTreeBuilder.display(path)); expected '='")
        }
        scanner.skipWhitespace()
        let item = try value(in: builder.depth(of: table) + path.count - 1)
        try builder.insert(path, item, in: table, scope: scope, line: line)
    }

    /// A value held by a table or array `depth` deep.
    private mutating func value(in depth: Int) throws(TOMLSyntaxError) -> TOMLTreeBuilder.Item {
        switch scanner.peek() {
        case .quote, .apostrophe:
            return .scalar(.string(try scanner.string()))
        case .openBracket:
            return try array(depth: depth + 1)
        case .openBrace:
            return try inlineTable(depth: depth + 1)
        case UInt8(ascii: "t") where scanner.consume("true"):
            return .scalar(.boolean(true))
        case UInt8(ascii: "f") where scanner.consume("false"):
            return .scalar(.boolean(false))
        case nil, .lineFeed, .carriageReturn, .hash:
            throw scanner.unexpected("where a value was expected")
        default:
            return .scalar(try scanner.numberOrDateTime())
        }
    }

    /// `[ value, value, … ]`, over as many lines as it takes, with comments; a trailing comma is allowed.
    private mutating func array(depth: Int) throws(TOMLSyntaxError) -> TOMLTreeBuilder.Item {
        try builder.checkDepth(depth, line: scanner.line)
        scanner.advance()
        var items: [TOMLTreeBuilder.Item] = []
        while true {
            try scanner.skipBlankSpace()
            if scanner.consume(.closeBracket) { return .array(items) }
            items.append(try value(in: depth))
            try scanner.skipBlankSpace()
            if scanner.consume(.comma) { continue }
            guard scanner.consume(.closeBracket) else {
                throw scanner.unexpected("in an array; expected ',' or ']'")
            }
            return .array(items)
        }
    }

    /// `{ key = value, … }` on one line (TOML 1.0 allows no newline and no trailing comma in an inline table).
    private mutating func inlineTable(depth: Int) throws(TOMLSyntaxError) -> TOMLTreeBuilder.Item {
        let table = try builder.openInlineTable(depth: depth, line: scanner.line)
        let scope = newScope()
        scanner.advance()
        scanner.skipWhitespace()
        if scanner.consume(.closeBrace) { return .table(table) }
        while true {
            scanner.skipWhitespace()
            try checkInlineTableContinues()
            if scanner.peek() == .closeBrace {
                throw scanner.error(.unexpectedCharacter, "a comma must be followed by a key in an inline table")
            }
            try keyValue(in: table, scope: scope)
            scanner.skipWhitespace()
            if scanner.consume(.comma) { continue }
            try checkInlineTableContinues()
            guard scanner.consume(.closeBrace) else {
                throw scanner.unexpected("in an inline table; expected ',' or '}'")
            }
            return .table(table)
        }
    }

    private func checkInlineTableContinues() throws(TOMLSyntaxError) {
        switch scanner.peek() {
        case .lineFeed, .carriageReturn, .hash:
            throw scanner.error(
                .unexpectedCharacter,
                "an inline table must end on the line it starts, without comments (TOML 1.0); use a [table] instead")
        default:
            return
        }
    }
}
