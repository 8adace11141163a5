/// Reads the lexical parts of a TOML 1.0 document from its UTF-8 bytes — whitespace, comments, newlines, keys,
/// strings, numbers and date-times — and counts lines as it goes.
///
/// Every loop advances through the bytes and never looks back, so scanning is linear in the input. UTF-8 is
/// checked where TOML allows text beyond ASCII (strings and comments); anywhere else a byte above 0x7F is an
/// unexpected character anyway.
package struct TOMLScanner {
    private let bytes: [UInt8]
    private var index: Int
    /// The line the scanner is on (1 = the first).
    private(set) var line = 1

    /// A scanner at the start of `bytes`, after a UTF-8 byte order mark if there is one.
    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    package var isAtEnd: Bool { index >= bytes.count }

    /// The byte `offset` places ahead, nil past the end.
    package func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// Steps over one ASCII character the caller has looked at.
    package mutating func advance() {
        index += 1
    }

    /// Consumes `byte` if it is next.
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Consumes the ASCII `word` if it is next.
    package mutating func consume(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { bytes[index..<index + length].elementsEqual($0) }
        if matches { index += length }
        return matches
    }

    package func error(_ kind: TOMLSyntaxError.Kind, _ reason: String) -> TOMLSyntaxError {
        TOMLSyntaxError(kind, line: line, reason)
    }

    /// "unexpected X WHERE", naming the character that is next.
    package func unexpected(_ context: String) -> TOMLSyntaxError {
        error(.unexpectedCharacter, "unexpected \(Self.describe(peek())) \(context)")
    }

    // MARK: Whitespace, comments, newlines

    /// Skips spaces and tabs.
    package mutating func skipWhitespace() {
        while let byte = peek(), byte == .space || byte == .tab { index += 1 }
    }

    /// Consumes a newline (LF or CRLF) if one is next; a carriage return alone is an error.
    package mutating func consumeNewline() throws(TOMLSyntaxError) -> Bool {
        switch peek() {
        case .lineFeed:
            index += 1
        case .carriageReturn:
            guard peek(1) == .lineFeed else {
                throw error(.controlCharacter, "a carriage return must be followed by a line feed")
            }
            index += 2
        default:
            return false
        }
        line += 1
        return true
    }

    /// Skips a comment if one starts here, up to (not including) its newline.
    package mutating func skipComment() throws(TOMLSyntaxError) {
        guard peek() == .hash else { return }
        index += 1
        while let byte = peek(), byte != .lineFeed {
            if byte >= 0x80 {
                try skipScalar()
            } else if byte == .carriageReturn && peek(1) == .lineFeed {
                return
            } else if Self.isControl(byte) {
                throw error(.controlCharacter, "\(Self.describe(byte)) is not allowed in a comment")
            } else {
                index += 1
            }
        }
    }

    /// Skips whitespace, comments and newlines (between array elements).
    package mutating func skipBlankSpace() throws(TOMLSyntaxError) {
        repeat {
            skipWhitespace()
            try skipComment()
        } while try consumeNewline()
    }

    /// Ends an expression: optional whitespace and a comment, then a newline or the end of the document.
    package mutating func endLine(after what: String) throws(TOMLSyntaxError) {
        skipWhitespace()
        try skipComment()
        if isAtEnd { return }
        guard try consumeNewline() else {
            throw unexpected("after \(what); expected a new line")
        }
    }

    // MARK: Keys

    /// A key: bare (`A-Za-z0-9_-`), quoted, or dotted (parts joined by `.`, with optional whitespace around it).
    package mutating func key() throws(TOMLSyntaxError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            skipWhitespace()
            guard consume(.dot) else { return parts }
            skipWhitespace()
            parts.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws(TOMLSyntaxError) -> String {
        guard let first = peek() else { throw unexpected("where a key was expected") }
        if first == .quote || first == .apostrophe {
            guard !(peek(1) == first && peek(2) == first) else {
                throw error(.unexpectedCharacter, "a key cannot be a multi-line string")
            }
            return first == .quote ? try basicString() : try literalString()
        }
        let start = index
        while let byte = peek(), Self.isBareKey(byte) { index += 1 }
        guard index > start else { throw unexpected("where a key was expected") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    // MARK: Strings

    /// A string of any of the four kinds; the scanner is at its opening quote.
    package mutating func string() throws(TOMLSyntaxError) -> String {
        let quote = bytes[index]
        if peek(1) == quote && peek(2) == quote {
            return try multilineString(quote: quote)
        }
        return quote == .quote ? try basicString() : try literalString()
    }

    /// `"…"` with escapes, on one line.
    private mutating func basicString() throws(TOMLSyntaxError) -> String {
        index += 1
        var text: [UInt8] = []
        while let byte = peek() {
            switch byte {
            case .quote:
                index += 1
                return String(decoding: text, as: UTF8.self)
            case .backslash:
                try escape(into: &text)
            default:
                try character(byte, into: &text, in: "a string")
            }
        }
        throw error(.unterminatedString, "the document ends inside a string")
    }

    /// `'…'` taken as written, on one line.
    private mutating func literalString() throws(TOMLSyntaxError) -> String {
        index += 1
        var text: [UInt8] = []
        while let byte = peek() {
            if byte == .apostrophe {
                index += 1
                return String(decoding: text, as: UTF8.self)
            }
            try character(byte, into: &text, in: "a literal string")
        }
        throw error(.unterminatedString, "the document ends inside a literal string")
    }

    /// One character of a single-line string: copied if allowed, an error for newlines and control characters.
    private mutating func character(_ byte: UInt8, into text: inout [UInt8], in what: String) throws(TOMLSyntaxError) {
        if byte >= 0x80 {
            try copyScalar(into: &text)
        } else if byte == .lineFeed || byte == .carriageReturn {
            throw error(
                .unterminatedString, "\(what) is not closed on its line (strings over several lines take three quotes)")
        } else if Self.isControl(byte) {
            throw error(.controlCharacter, "\(Self.describe(byte)) is not allowed in \(what); write it as an escape")
        } else {
            text.append(byte)
            index += 1
        }
    }

    /// `"""…"""` (with escapes and line-ending backslashes) or `'''…'''`; a newline right after the opening
    /// delimiter is dropped, CRLF is read as LF, and up to two quotes may stand just before the closing delimiter.
    private mutating func multilineString(quote: UInt8) throws(TOMLSyntaxError) -> String {
        let what = quote == .quote ? "a multi-line string" : "a multi-line literal string"
        index += 3
        _ = try consumeNewline()
        var text: [UInt8] = []
        while let byte = peek() {
            switch byte {
            case quote:
                var run = 1
                while peek(run) == quote { run += 1 }
                index += run
                if run < 3 {
                    text.append(contentsOf: repeatElement(quote, count: run))
                    continue
                }
                guard run <= 5 else {
                    throw error(.unexpectedCharacter, "\(what) is closed by three quotes, with at most two more before them")
                }
                text.append(contentsOf: repeatElement(quote, count: run - 3))
                return String(decoding: text, as: UTF8.self)
            case .backslash where quote == .quote:
                if !(try skipLineEndingBackslash()) {
                    try escape(into: &text)
                }
            case .lineFeed, .carriageReturn:
                _ = try consumeNewline()
                text.append(.lineFeed)
            default:
                if byte >= 0x80 {
                    try copyScalar(into: &text)
                } else if Self.isControl(byte) {
                    throw error(.controlCharacter, "\(Self.describe(byte)) is not allowed in \(what)")
                } else {
                    text.append(byte)
                    index += 1
                }
            }
        }
        throw error(.unterminatedString, "the document ends inside \(what)")
    }

    /// A backslash that ends its line (whitespace may follow it): skips it and all whitespace and newlines after
    /// it. False, having consumed nothing, for any other backslash.
    private mutating func skipLineEndingBackslash() throws(TOMLSyntaxError) -> Bool {
        var next = index + 1
        while next < bytes.count, bytes[next] == .space || bytes[next] == .tab { next += 1 }
        guard next < bytes.count, bytes[next] == .lineFeed || bytes[next] == .carriageReturn else { return false }
        index = next
        while try consumeNewline() {
            skipWhitespace()
        }
        return true
    }

    /// A backslash escape (`\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`), appended as UTF-8.
    private mutating func escape(into text: inout [UInt8]) throws(TOMLSyntaxError) {
        index += 1
        guard let letter = peek() else { throw error(.unterminatedString, "the document ends inside a string") }
        index += 1
        switch letter {
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "t"): text.append(.tab)
        case UInt8(ascii: "n"): text.append(.lineFeed)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "r"): text.append(.carriageReturn)
        case .quote, .backslash: text.append(letter)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = letter == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<width {
                guard let byte = peek(), let digit = Self.digitValue(byte), digit < 16 else {
                    throw error(.badEscape, "\\\(Character(Unicode.Scalar(letter))) takes exactly \(width) hexadecimal digits")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw error(.badEscape, "\\\(Character(Unicode.Scalar(letter))) escape of a value that is not a Unicode scalar")
            }
            UTF8.encode(scalar) { text.append($0) }
        default:
            index -= 1
            throw error(.badEscape, "\\\(Self.describe(letter, quoted: false)) is not an escape in TOML 1.0")
        }
    }

    // MARK: UTF-8

    /// Steps over one well-formed UTF-8 sequence of two to four bytes.
    private mutating func skipScalar() throws(TOMLSyntaxError) {
        index += try scalarLength()
    }

    /// Copies one well-formed UTF-8 sequence of two to four bytes.
    private mutating func copyScalar(into text: inout [UInt8]) throws(TOMLSyntaxError) {
        let length = try scalarLength()
        text.append(contentsOf: bytes[index..<index + length])
        index += length
    }

    /// The length of the multi-byte UTF-8 sequence here (RFC 3629: no overlong forms, no surrogates, at most
    /// U+10FFFF).
    private func scalarLength() throws(TOMLSyntaxError) -> Int {
        let first = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        case 0xF1...0xF3: length = 4
        default: throw error(.invalidUTF8, "invalid UTF-8 (byte 0x\(String(first, radix: 16, uppercase: true)))")
        }
        for offset in 1..<length {
            guard let byte = peek(offset), (offset == 1 ? secondRange : 0x80...0xBF).contains(byte) else {
                throw error(.invalidUTF8, "invalid UTF-8 (a truncated or overlong sequence)")
            }
        }
        return length
    }

    // MARK: Numbers and date-times

    /// An integer, float, offset or local date-time, local date or local time; the scanner is at its first
    /// character. Anything else there is an error that says strings need quotes.
    package mutating func numberOrDateTime() throws(TOMLSyntaxError) -> TOMLValue {
        if (0..<4).allSatisfy({ peek($0).map(Self.isDigit) ?? false }) && peek(4) == .minus {
            return .dateTime(try dateTime())
        }
        if (0..<2).allSatisfy({ peek($0).map(Self.isDigit) ?? false }) && peek(2) == .colon {
            return .dateTime(try localTime())
        }
        let start = index
        while let byte = peek(), Self.isBareKey(byte) || byte == .plus || byte == .dot { index += 1 }
        let token = bytes[start..<index]
        guard !token.isEmpty else { throw unexpected("where a value was expected") }
        return try number(token)
    }

    private func number(_ token: ArraySlice<UInt8>) throws(TOMLSyntaxError) -> TOMLValue {
        let text = String(decoding: token, as: UTF8.self)
        var rest = token
        let sign = rest.first == .plus || rest.first == .minus ? rest.popFirst() : nil
        let negative = sign == .minus
        if rest.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
        if rest.elementsEqual("nan".utf8) { return .float(.nan) }
        guard let first = rest.first, Self.isDigit(first) else {
            throw error(.badNumber, "'\(text)' is not a value (strings need quotes)")
        }
        if first == UInt8(ascii: "0"), let radix = rest.dropFirst().first.flatMap(Self.radix) {
            guard sign == nil else {
                throw error(.badNumber, "'\(text)': hexadecimal, octal and binary integers take no sign")
            }
            let digits = try digitRun(&rest, after: 2, radix: radix, in: text)
            guard rest.isEmpty, !digits.isEmpty else {
                throw error(.badNumber, "'\(text)' is not a base-\(radix) integer")
            }
            return .integer(try integer(digits, radix: radix, negative: false, in: text))
        }
        let integerPart = try digitRun(&rest, after: 0, radix: 10, in: text)
        guard integerPart.count == 1 || integerPart.first != UInt8(ascii: "0") else {
            throw error(.badNumber, "'\(text)': leading zeros are not allowed")
        }
        var isFloat = false
        var decimal = integerPart
        if rest.first == .dot {
            let fraction = try digitRun(&rest, after: 1, radix: 10, in: text)
            guard !fraction.isEmpty else { throw error(.badNumber, "'\(text)': a decimal point needs digits on both sides") }
            decimal += [.dot] + fraction
            isFloat = true
        }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest.removeFirst()
            decimal.append(UInt8(ascii: "e"))
            if let exponentSign = rest.first, exponentSign == .plus || exponentSign == .minus {
                decimal.append(exponentSign)
                rest.removeFirst()
            }
            let exponent = try digitRun(&rest, after: 0, radix: 10, in: text)
            guard !exponent.isEmpty else { throw error(.badNumber, "'\(text)': an exponent needs digits") }
            decimal += exponent
            isFloat = true
        }
        guard rest.isEmpty else {
            throw error(.badNumber, "'\(text)' is not a number (strings need quotes)")
        }
        guard isFloat else {
            return .integer(try integer(integerPart, radix: 10, negative: negative, in: text))
        }
        guard let value = Double(String(decoding: decimal, as: UTF8.self)) else {
            throw error(.badNumber, "'\(text)' is not a float")
        }
        return .float(negative ? -value : value)
    }

    /// Digits of `radix` with single underscores between them, after dropping `count` bytes; returns the digits.
    private func digitRun(
        _ rest: inout ArraySlice<UInt8>, after count: Int, radix: Int, in text: String
    ) throws(TOMLSyntaxError) -> [UInt8] {
        rest.removeFirst(count)
        var digits: [UInt8] = []
        var afterUnderscore = false
        while let byte = rest.first {
            if byte == .underscore {
                guard !digits.isEmpty, !afterUnderscore else {
                    throw error(.badNumber, "'\(text)': an underscore must stand between two digits")
                }
                afterUnderscore = true
            } else if let digit = Self.digitValue(byte), digit < radix {
                digits.append(byte)
                afterUnderscore = false
            } else {
                break
            }
            rest.removeFirst()
        }
        guard !afterUnderscore else { throw error(.badNumber, "'\(text)': an underscore must stand between two digits") }
        return digits
    }

    /// The value of `digits`, which must fit a 64-bit signed integer.
    private func integer(_ digits: [UInt8], radix: Int, negative: Bool, in text: String) throws(TOMLSyntaxError) -> Int {
        let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        for byte in digits {
            let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(Self.digitValue(byte)!))
            guard !overflow, !carry, sum <= limit else {
                throw error(.numberOutOfRange, "'\(text)' is outside the 64-bit integer range")
            }
            magnitude = sum
        }
        return negative ? Int(truncatingIfNeeded: 0 &- magnitude) : Int(magnitude)
    }

    /// `YYYY-MM-DD`, optionally followed by `T`, `t` or a space and a time, optionally followed by an offset.
    private mutating func dateTime() throws(TOMLSyntaxError) -> TOMLDateTime {
        let start = index
        let year = try field(4)
        try dateTimeSeparator(.minus, start: start)
        let month = try field(2)
        try dateTimeSeparator(.minus, start: start)
        let day = try field(2)
        var time: TOMLDateTime.Time?
        var offset: Int?
        if let next = peek(),
            next == UInt8(ascii: "T") || next == UInt8(ascii: "t") || (next == .space && peek(1).map(Self.isDigit) == true)
        {
            index += 1
            time = try partialTime(start: start)
            if peek() == UInt8(ascii: "Z") || peek() == UInt8(ascii: "z") {
                index += 1
                offset = 0
            } else if let sign = peek(), sign == .plus || sign == .minus {
                index += 1
                let hours = try field(2)
                try dateTimeSeparator(.colon, start: start)
                let minutes = try field(2)
                guard hours <= 23, minutes <= 59 else { throw badDateTime(from: start) }
                offset = (sign == .minus ? -1 : 1) * (hours * 60 + minutes)
            }
        }
        let date = TOMLDateTime.Date(year: year, month: month, day: day)
        guard let value = TOMLDateTime(date: date, time: time, offsetMinutes: offset) else {
            throw badDateTime(from: start)
        }
        return value
    }

    /// `HH:MM:SS[.fraction]` on its own.
    private mutating func localTime() throws(TOMLSyntaxError) -> TOMLDateTime {
        let start = index
        let time = try partialTime(start: start)
        guard let value = TOMLDateTime(date: nil, time: time) else { throw badDateTime(from: start) }
        return value
    }

    /// `HH:MM:SS[.fraction]`; TOML 1.0 requires the seconds.
    private mutating func partialTime(start: Int) throws(TOMLSyntaxError) -> TOMLDateTime.Time {
        let hour = try field(2)
        try dateTimeSeparator(.colon, start: start)
        let minute = try field(2)
        try dateTimeSeparator(.colon, start: start)
        let second = try field(2)
        var nanosecond = 0
        if consume(.dot) {
            var count = 0
            while let byte = peek(), Self.isDigit(byte) {
                if count < 9 { nanosecond = nanosecond * 10 + Int(byte - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { throw badDateTime(from: start) }
            for _ in min(count, 9)..<9 { nanosecond *= 10 }
        }
        return TOMLDateTime.Time(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    /// Exactly `width` decimal digits.
    private mutating func field(_ width: Int) throws(TOMLSyntaxError) -> Int {
        var value = 0
        for _ in 0..<width {
            guard let byte = peek(), Self.isDigit(byte) else {
                throw error(.badDateTime, "a date or time field needs exactly \(width) digits")
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    private mutating func dateTimeSeparator(_ separator: UInt8, start: Int) throws(TOMLSyntaxError) {
        guard consume(separator) else { throw badDateTime(from: start) }
    }

    private func badDateTime(from start: Int) -> TOMLSyntaxError {
        var end = index
        while end < bytes.count, end < start + 40, Self.isBareKey(bytes[end]) || bytes[end] == .colon { end += 1 }
        let text = String(decoding: bytes[start..<max(end, index)].prefix(40), as: UTF8.self)
        return error(
            .badDateTime,
            "'\(text)' is not a date-time such as 1979-05-27T07:32:00Z, 1979-05-27T07:32:00, 1979-05-27 or 07:32:00")
    }

    // MARK: Character classes

    package static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `A-Z a-z 0-9 _ -`: the characters of bare keys.
    package static func isBareKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), .underscore, .minus:
            return true
        default:
            return false
        }
    }

    /// U+0000–U+001F except tab, and U+007F.
    package static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != .tab) || byte == 0x7F
    }

    /// The value of a hexadecimal digit (either case), nil for anything else.
    private static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }

    /// The radix a `0x`, `0o` or `0b` prefix letter announces.
    private static func radix(_ letter: UInt8) -> Int? {
        switch letter {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    /// A character for a message: `'x'`, `U+0007`, "the end of the line", "the end of the document".
    package static func describe(_ byte: UInt8?, quoted: Bool = true) -> String {
        guard let byte else { return "the end of the document" }
        switch byte {
        case .lineFeed, .carriageReturn: return "the end of the line"
        case 0x21...0x7E: return quoted ? "'\(Character(Unicode.Scalar(byte)))'" : "\(Character(Unicode.Scalar(byte)))"
        case 0x80...: return "a non-ASCII character"
        default: return "U+00" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
    }
}

extension UInt8 {
    package static let tab = UInt8(ascii: "\t")
    package static let lineFeed = UInt8(ascii: "\n")
    package static let carriageReturn = UInt8(ascii: "\r")
    package static let space = UInt8(ascii: " ")
    package static let quote = UInt8(ascii: "\"")
    package static let apostrophe = UInt8(ascii: "'")
    package static let backslash = UInt8(ascii: "\\")
    package static let hash = UInt8(ascii: "#")
    package static let plus = UInt8(ascii: "+")
    package static let minus = UInt8(ascii: "-")
    package static let dot = UInt8(ascii: ".")
    package static let colon = UInt8(ascii: ":")
    package static let underscore = UInt8(ascii: "_")
    package static let equals = UInt8(ascii: "=")
    package static let comma = UInt8(ascii: ",")
    package static let openBracket = UInt8(ascii: "[")
    package static let closeBracket = UInt8(ascii: "]")
    package static let openBrace = UInt8(ascii: "{")
    package static let closeBrace = UInt8(ascii: "}")
}
