extension TOMLDocument {
    /// The document in toml-test's tagged JSON: tables as objects, arrays as arrays, and every value as
    /// `{"type": T, "value": "TEXT"}` (T = string, integer, float, bool, datetime, datetime-local, date-local,
    /// time-local). `trapmux check-config --toml-json` prints it, for the toml-test conformance files.
    package var taggedJSON: String {
        var output: [UInt8] = []
        Self.write(root, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Recursion here is bounded by `maximumDepth`.
    private static func write(_ table: TOMLTable, to output: inout [UInt8]) {
        output.append(.openBrace)
        for (position, (key, entry)) in table.orderedEntries.enumerated() {
            if position > 0 { output.append(.comma) }
            writeString(key, to: &output)
            output.append(.colon)
            write(entry.value, to: &output)
        }
        output.append(.closeBrace)
    }

    private static func write(_ value: TOMLValue, to output: inout [UInt8]) {
        switch value {
        case .table(let table):
            write(table, to: &output)
        case .array(let items):
            output.append(.openBracket)
            for (position, item) in items.enumerated() {
                if position > 0 { output.append(.comma) }
                write(item, to: &output)
            }
            output.append(.closeBracket)
        case .string(let text): writeTagged("string", text, to: &output)
        case .integer(let number): writeTagged("integer", String(number), to: &output)
        case .float(let number): writeTagged("float", number.isNaN ? "nan" : number.description, to: &output)
        case .boolean(let flag): writeTagged("bool", flag ? "true" : "false", to: &output)
        case .dateTime(let moment): writeTagged(moment.kindName, moment.description, to: &output)
        }
    }

    private static func writeTagged(_ type: String, _ text: String, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"type":"#.utf8)
        writeString(type, to: &output)
        output.append(contentsOf: #","value":"#.utf8)
        writeString(text, to: &output)
        output.append(.closeBrace)
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    private static func writeString(_ text: String, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(.quote)
        for byte in text.utf8 {
            switch byte {
            case .quote, .backslash:
                output.append(.backslash)
                output.append(byte)
            case ..<0x20, 0x7F:
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(.quote)
    }
}
