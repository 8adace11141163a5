/// The subset of TOML 1.0 that trapmux's configuration uses, parsed with the line of every key.
///
/// Supported: comments, `[table]`, `[[array-of-tables]]`, `key = value` with bare or quoted keys, basic and
/// literal strings, integers (decimal with `_`, `0x`, `0o`), booleans, and arrays of those (across lines).
/// A hand-written parser rather than a dependency because errors must name the file, line and key, and
/// the whole configuration grammar fits on one page.
struct TOMLDocument {
    /// A parsed value.
    enum Value: Equatable {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case array([Value])
        /// An inline table `{ key = value, … }` (relay filters).
        case table([String: Value])

        var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .bool: return "a boolean"
            case .array: return "an array"
            case .table: return "an inline table"
            }
        }
    }

    /// A value with the line it was written on.
    struct Entry {
        let value: Value
        let line: Int
    }

    /// One table: its keys in file order, where its header was, and its name ("" for the top level).
    struct Table {
        var name: String
        var line: Int
        var keys: [String] = []
        var entries: [String: Entry] = [:]
    }

    /// A syntax error: where it is and what was expected.
    struct SyntaxError: Error {
        let line: Int
        let message: String
    }

    /// The top-level table and the named tables (`[name]`), in file order.
    private(set) var tables: [Table] = [Table(name: "", line: 0)]
    /// Arrays of tables (`[[name]]`), in file order.
    private(set) var arrayTables: [String: [Table]] = [:]

    /// Parses TOML text.
    init(parsing text: String) throws(SyntaxError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }[...]
        var lineNumber = 0
        var current = TableRef.named(0)
        while let rawLine = lines.popFirst() {
            lineNumber += 1
            var scanner = Scanner(text: rawLine, line: lineNumber)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                current = try openTable(&scanner)
                continue
            }
            let key = try scanner.key()
            scanner.skipSpaces()
            guard scanner.consume("=") else {
                throw SyntaxError(line: lineNumber, message: "expected '=' after key '\(key)'")
            }
            scanner.skipSpaces()
            let startLine = lineNumber
            // Arrays may continue over following lines: join them until the brackets balance.
            while scanner.peek == "[" && !scanner.bracketsBalanced, let next = lines.popFirst() {
                lineNumber += 1
                scanner.append(line: next)
            }
            let value = try scanner.value()
            scanner.skipSpaces()
            guard scanner.atEndOrComment else {
                throw SyntaxError(line: lineNumber, message: "unexpected text after the value of '\(key)'")
            }
            try insert(key: key, entry: Entry(value: value, line: startLine), into: current)
        }
    }

    /// The named table, if present.
    func table(_ name: String) -> Table? {
        tables.first { $0.name == name }
    }

    private enum TableRef {
        case named(Int)
        case array(String, Int)
    }

    private mutating func openTable(_ scanner: inout Scanner) throws(SyntaxError) -> TableRef {
        let line = scanner.line
        _ = scanner.consume("[")
        let isArray = scanner.consume("[")
        scanner.skipSpaces()
        let name = try scanner.key()
        scanner.skipSpaces()
        guard scanner.consume("]"), !isArray || scanner.consume("]") else {
            throw SyntaxError(line: line, message: "expected ']' to close the table header")
        }
        scanner.skipSpaces()
        guard scanner.atEndOrComment else {
            throw SyntaxError(line: line, message: "unexpected text after the table header [\(name)]")
        }
        if isArray {
            arrayTables[name, default: []].append(Table(name: name, line: line))
            return .array(name, arrayTables[name]!.count - 1)
        }
        if let existing = tables.firstIndex(where: { $0.name == name }), existing > 0 {
            throw SyntaxError(line: line, message: "table [\(name)] is defined twice (first on line \(tables[existing].line))")
        }
        tables.append(Table(name: name, line: line))
        return .named(tables.count - 1)
    }

    private mutating func insert(key: String, entry: Entry, into ref: TableRef) throws(SyntaxError) {
        func add(_ table: inout Table) throws(SyntaxError) {
            if let previous = table.entries[key] {
                throw SyntaxError(line: entry.line, message: "key '\(key)' is set twice (first on line \(previous.line))")
            }
            table.keys.append(key)
            table.entries[key] = entry
        }
        switch ref {
        case .named(let index): try add(&tables[index])
        case .array(let name, let index): try add(&arrayTables[name]![index])
        }
    }

    /// Reads tokens from one logical line.
    private struct Scanner {
        var characters: [Character]
        var position = 0
        let line: Int

        init(text: String, line: Int) {
            self.characters = Array(text)
            self.line = line
        }

        var peek: Character? { position < characters.count ? characters[position] : nil }

        var atEndOrComment: Bool { peek == nil || peek == "#" || peek == "\r" }

        mutating func append(line text: String) {
            characters.append("\n")
            characters.append(contentsOf: text)
        }

        /// Whether the array that starts here closes on the text read so far (ignoring strings and comments).
        var bracketsBalanced: Bool {
            var depth = 0
            var quote: Character?
            var inComment = false
            for character in characters[position...] {
                if inComment {
                    if character == "\n" { inComment = false }
                    continue
                }
                if let q = quote {
                    if character == q { quote = nil }
                    continue
                }
                switch character {
                case "\"", "'": quote = character
                case "#": inComment = true
                case "[": depth += 1
                case "]":
                    depth -= 1
                    if depth == 0 { return true }
                default: break
                }
            }
            return false
        }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" { position += 1 }
        }

        mutating func skipSpacesAndComments() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\n" || c == "\r" {
                    position += 1
                } else if c == "#" {
                    while let d = peek, d != "\n" { position += 1 }
                } else {
                    return
                }
            }
        }

        mutating func consume(_ character: Character) -> Bool {
            guard peek == character else { return false }
            position += 1
            return true
        }

        /// A bare key (`A-Za-z0-9_-`), a quoted key, or dotted keys joined with '.'.
        mutating func key() throws(SyntaxError) -> String {
            var parts: [String] = []
            repeat {
                skipSpaces()
                if peek == "\"" || peek == "'" {
                    parts.append(try string())
                } else {
                    var bare = ""
                    while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" {
                        bare.append(c)
                        position += 1
                    }
                    guard !bare.isEmpty else {
                        throw SyntaxError(line: line, message: "expected a key")
                    }
                    parts.append(bare)
                }
                skipSpaces()
            } while consume(".")
            return parts.joined(separator: ".")
        }

        mutating func value() throws(SyntaxError) -> Value {
            guard let c = peek else {
                throw SyntaxError(line: line, message: "expected a value")
            }
            switch c {
            case "\"", "'":
                return .string(try string())
            case "{":
                position += 1
                var members: [String: Value] = [:]
                skipSpaces()
                if consume("}") { return .table(members) }
                while true {
                    skipSpaces()
                    let key = try key()
                    skipSpaces()
                    guard consume("=") else { throw SyntaxError(line: line, message: "expected '=' after '\(key)' in an inline table") }
                    skipSpaces()
                    guard members[key] == nil else { throw SyntaxError(line: line, message: "key '\(key)' is set twice") }
                    members[key] = try value()
                    skipSpaces()
                    if consume(",") { continue }
                    guard consume("}") else { throw SyntaxError(line: line, message: "expected ',' or '}' in an inline table") }
                    return .table(members)
                }
            case "[":
                position += 1
                var items: [Value] = []
                while true {
                    skipSpacesAndComments()
                    if consume("]") { return .array(items) }
                    items.append(try value())
                    skipSpacesAndComments()
                    if consume(",") { continue }
                    guard consume("]") else {
                        throw SyntaxError(line: line, message: "expected ',' or ']' in an array")
                    }
                    return .array(items)
                }
            case "t", "f":
                var word = ""
                while let d = peek, d.isLetter {
                    word.append(d)
                    position += 1
                }
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: throw SyntaxError(line: line, message: "unknown value '\(word)'; strings need quotes")
                }
            default:
                var token = ""
                while let d = peek, d.isLetter || d.isNumber || d == "_" || d == "-" || d == "+" || d == "." {
                    token.append(d)
                    position += 1
                }
                guard let number = Self.integer(token) else {
                    throw SyntaxError(
                        line: line,
                        message: token.isEmpty ? "expected a value" : "'\(token)' is not a value; strings need quotes")
                }
                return .integer(number)
            }
        }

        static func integer(_ token: String) -> Int? {
            let digits = token.replacingUnderscores()
            if digits.hasPrefix("0x") { return Int(digits.dropFirst(2), radix: 16) }
            if digits.hasPrefix("0o") { return Int(digits.dropFirst(2), radix: 8) }
            if digits.hasPrefix("0b") { return Int(digits.dropFirst(2), radix: 2) }
            return Int(digits)
        }

        mutating func string() throws(SyntaxError) -> String {
            let quote = characters[position]
            position += 1
            var text = ""
            while let c = peek {
                position += 1
                if c == quote { return text }
                if c == "\n" { break }
                if c == "\\" && quote == "\"" {
                    guard let escaped = peek else { break }
                    position += 1
                    switch escaped {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "r": text.append("\r")
                    case "\\": text.append("\\")
                    case "\"": text.append("\"")
                    case "u", "U":
                        let width = escaped == "u" ? 4 : 8
                        let hex = String(characters[position..<min(position + width, characters.count)])
                        guard hex.count == width, let scalarValue = UInt32(hex, radix: 16),
                            let scalar = Unicode.Scalar(scalarValue)
                        else {
                            throw SyntaxError(line: line, message: "bad \\\(escaped) escape in a string")
                        }
                        text.unicodeScalars.append(scalar)
                        position += width
                    default:
                        throw SyntaxError(line: line, message: "unknown escape \\\(escaped) in a string")
                    }
                } else {
                    text.append(c)
                }
            }
            throw SyntaxError(line: line, message: "unterminated string")
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(self.filter { $0 != "_" })
    }
}
