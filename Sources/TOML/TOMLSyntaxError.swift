/// Why a text is not a TOML 1.0 document, and on which line the problem was found.
///
/// Errors compare by `kind` only, so tests can write `#expect(error.kind == .nestingTooDeep)` without
/// depending on the wording of `reason`.
package struct TOMLSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable category of a syntax error.
    package enum Kind: String, Sendable, CaseIterable {
        /// Bytes that are not UTF-8 (truncated or overlong sequences, surrogates, beyond U+10FFFF).
        case invalidUTF8
        /// A control character where TOML forbids it (in a string or comment, or a carriage return alone).
        case controlCharacter
        /// A character the grammar does not allow here: a missing `=`, `]` or `,`, text after a value, ….
        case unexpectedCharacter
        /// A string or quoted key that the line or the document ends in.
        case unterminatedString
        /// A backslash escape TOML 1.0 does not define, or a `\u` escape that is no Unicode scalar value.
        case badEscape
        /// An integer or float that breaks the number syntax: leading zeros, misplaced `_`, no digits, ….
        case badNumber
        /// An integer outside the 64-bit signed range.
        case numberOutOfRange
        /// A date or time with the wrong shape or impossible fields (month 13, February 30, hour 24, …).
        case badDateTime
        /// A key or table defined twice, or a table extended where TOML forbids it (inline tables, arrays, …).
        case redefinition
        /// Arrays and tables nested deeper than `TOMLDocument.maximumDepth`.
        case nestingTooDeep
    }

    /// The category of the error.
    package let kind: Kind
    /// Line of the document (1 = the first) where the error was found.
    package let line: Int
    /// A sentence for people: what was found and what was expected.
    package let reason: String

    package init(_ kind: Kind, line: Int, _ reason: String) {
        self.kind = kind
        self.line = line
        self.reason = reason
    }

    package var description: String {
        "line \(line): \(reason)"
    }

    package static func == (lhs: TOMLSyntaxError, rhs: TOMLSyntaxError) -> Bool {
        lhs.kind == rhs.kind
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
    }
}
