/// A TOML 1.0.0 document, parsed into a tree of tables, arrays and values in which every key keeps the line it
/// was defined on (and every table the line of its header), so configuration errors can name the line.
///
/// The parser is trapmux's own rather than a dependency because its errors must name the line, and because it
/// must hold for any input: the file is re-read on SIGHUP by a running server, so a hostile or broken file may
/// fail but never crash it. Parsing is linear in the input, and arrays and tables may nest at most
/// `maximumDepth` deep (counting every table and array between a value and the top level, however written);
/// deeper input is a `nestingTooDeep` error, not a stack overflow.
///
/// Everything of TOML 1.0.0 is read: bare, quoted and dotted keys; basic, literal and multi-line strings with all
/// escapes; decimal, hexadecimal, octal and binary integers (64-bit); floats with `inf` and `nan`; booleans;
/// offset and local date-times, local dates and times; arrays of any types; inline tables; `[table]`,
/// `[[array of tables]]`; comments; LF and CRLF newlines; a UTF-8 byte order mark. Invalid UTF-8, control
/// characters and every redefinition TOML forbids are errors (`TOMLSyntaxError`).
package struct TOMLDocument: Sendable {
    /// How many arrays and tables may nest inside one another.
    package static let maximumDepth = 64

    /// The top-level table.
    package let root: TOMLTable

    /// Parses a document from its UTF-8 bytes.
    package init(parsing bytes: [UInt8]) throws(TOMLSyntaxError) {
        var parser = TOMLParser(bytes, maximumDepth: Self.maximumDepth)
        root = try parser.parse()
    }

    /// Parses a document from text.
    package init(parsing text: String) throws(TOMLSyntaxError) {
        try self.init(parsing: Array(text.utf8))
    }
}
