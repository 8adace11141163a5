import Testing

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// The TOML 1.0 parser: one rule per table row, documents small enough to read. The full conformance files are
/// checked outside the suite (`python3 ../shared/toml-test/check.py ".build/debug/trapmux check-config --toml-json"`).
@Suite struct TOMLDocumentTests {
    private func json(_ text: String) throws -> String {
        try TOMLDocument(parsing: text).taggedJSON
    }

    private func syntaxError(_ bytes: [UInt8]) -> TOMLSyntaxError? {
        do {
            _ = try TOMLDocument(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Depth

    @Test func seventyThousandBracketsAreAnErrorOnTheirLineNotACrash() {
        let text = "name = \"x\"\ncommunities = " + String(repeating: "[", count: 70_000)
            + String(repeating: "]", count: 70_000) + "\n"
        let start = ContinuousClock.now
        let error = syntaxError(Array(text.utf8))
        #expect(error?.kind == .nestingTooDeep)
        #expect(error?.line == 2)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func aHundredThousandNestedInlineTablesAreAnErrorNotACrash() {
        let text = "x = " + String(repeating: "{a=", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        let start = ContinuousClock.now
        let error = syntaxError(Array(text.utf8))
        #expect(error?.kind == .nestingTooDeep)
        #expect(error?.line == 1)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    /// `open` `count` times, `inner`, then `close` `count` times.
    private static func nested(_ open: String, _ inner: String, _ close: String, _ count: Int) -> String {
        String(repeating: open, count: count) + inner + String(repeating: close, count: count)
    }

    /// `a.a.…a`, `count` parts.
    private static func path(_ count: Int) -> String {
        Array(repeating: "a", count: count).joined(separator: ".")
    }

    /// The limit counts every array and table between a value and the top level, however they are written.
    @Test(arguments: [
        ("x = " + nested("[", "", "]", 64), true),
        ("x = " + nested("[", "", "]", 65), false),
        ("x = " + nested("{a=", "[]", "}", 63), true),
        ("x = " + nested("{a=", "[]", "}", 64), false),
        ("x = [" + nested("{a=[", "", "]}", 31) + "]", true),
        ("x = [" + nested("{a=[", "", "]}", 32) + "]", false),
        (path(65) + " = 1", true),
        (path(66) + " = 1", false),
        (path(100_000) + " = 1", false),
        ("[" + path(64) + "]", true),
        ("[" + path(65) + "]", false),
        ("[" + path(100_000) + "]", false),
        ("[" + path(63) + "]\nb = []", true),
        ("[" + path(63) + "]\nb = [[]]", false),
        ("[[" + path(63) + "]]", true),
        ("[[" + path(64) + "]]", false),
    ] as [(String, Bool)])
    func nestingIsLimitedTo64(text: String, accepted: Bool) {
        let error = syntaxError(Array(text.utf8))
        if accepted {
            #expect(error == nil, "\(String(describing: error))")
        } else {
            #expect(error?.kind == .nestingTooDeep)
        }
    }

    /// Long lines and long arrays cost time in proportion to their length: 50,000 elements of each shape take a
    /// fraction of a second (debug build), where work quadratic in the line length would take minutes.
    @Test func longLinesAndArraysAreReadInLinearTime() throws {
        let count = 50_000
        let strings = "x = [" + Array(repeating: #""a\"b""#, count: count).joined(separator: ",") + "]"
        let table = "y = {" + (0..<count).map { "k\($0) = \($0)" }.joined(separator: ", ") + "}"
        let lines = "z = [\n" + Array(repeating: "  1, # one\n", count: count).joined() + "]"
        let text = [strings, table, lines].joined(separator: "\n")
        let start = ContinuousClock.now
        let document = try TOMLDocument(parsing: text)
        #expect(ContinuousClock.now - start < .seconds(10))
        guard case .array(let items) = document.root["x"]?.value, case .table(let inline) = document.root["y"]?.value,
            case .array(let numbers) = document.root["z"]?.value
        else {
            Issue.record("wrong types")
            return
        }
        #expect(items.count == count && items.allSatisfy { $0 == .string(#"a"b"#) })
        #expect(inline.keys.count == count)
        #expect(numbers.count == count)
    }

    // MARK: Valid documents

    @Test(arguments: [
        // Newlines, byte order mark, comments.
        ("a = 1\r\nb = 2\r\n", #"{"a":{"type":"integer","value":"1"},"b":{"type":"integer","value":"2"}}"#),
        ("\u{FEFF}a = 1", #"{"a":{"type":"integer","value":"1"}}"#),
        ("# only a comment\r\n\n  \t\n", "{}"),
        // Keys.
        ("a.b.c = 1\na.d = 2", #"{"a":{"b":{"c":{"type":"integer","value":"1"}},"d":{"type":"integer","value":"2"}}}"#),
        ("\"a.b\" . 'c' = 1", #"{"a.b":{"c":{"type":"integer","value":"1"}}}"#),
        ("\"\" = 1", #"{"":{"type":"integer","value":"1"}}"#),
        ("1234 = 1\n-_- = 2", #"{"1234":{"type":"integer","value":"1"},"-_-":{"type":"integer","value":"2"}}"#),
        // Strings.
        (#"s = "\b\t\n\f\r\"\\\u00E9\U0001F600""#, #"{"s":{"type":"string","value":"\u0008\u0009\u000a\u000c\u000d\"\\é😀"}}"#),
        ("s = 'C:\\path\\\"x\"'", #"{"s":{"type":"string","value":"C:\\path\\\"x\""}}"#),
        ("s = \"\"\"\nline 1\r\nline 2\"\"\"", #"{"s":{"type":"string","value":"line 1\u000aline 2"}}"#),
        ("s = \"\"\"trap\\\n    \n   mux\"\"\"", #"{"s":{"type":"string","value":"trapmux"}}"#),
        ("s = \"\"\"\"\"quoted\"\"\"\"\"", #"{"s":{"type":"string","value":"\"\"quoted\"\""}}"#),
        ("s = '''\n\\no 'escapes' \\n'''", #"{"s":{"type":"string","value":"\\no 'escapes' \\n"}}"#),
        ("s = ''''''", #"{"s":{"type":"string","value":""}}"#),
        // Integers.
        ("i = [+17, -0, 1_000, 0xDEAD_beef, 0o755, 0b1010, 9223372036854775807, -9223372036854775808]",
            #"{"i":[{"type":"integer","value":"17"},{"type":"integer","value":"0"},{"type":"integer","value":"1000"},"#
            + #"{"type":"integer","value":"3735928559"},{"type":"integer","value":"493"},{"type":"integer","value":"10"},"#
            + #"{"type":"integer","value":"9223372036854775807"},{"type":"integer","value":"-9223372036854775808"}]}"#),
        // Floats.
        ("f = [0.5, -3.25, 5e+2, 1E-2, 6.25e1_0, 1_0.5, -0.0, inf, -inf, nan]",
            #"{"f":[{"type":"float","value":"0.5"},{"type":"float","value":"-3.25"},{"type":"float","value":"500.0"},"#
            + #"{"type":"float","value":"0.01"},{"type":"float","value":"62500000000.0"},{"type":"float","value":"10.5"},"#
            + #"{"type":"float","value":"-0.0"},{"type":"float","value":"inf"},{"type":"float","value":"-inf"},"#
            + #"{"type":"float","value":"nan"}]}"#),
        // Booleans and date-times.
        ("b = [true, false]", #"{"b":[{"type":"bool","value":"true"},{"type":"bool","value":"false"}]}"#),
        ("d = [1979-05-27T07:32:00Z, 1979-05-27 00:32:00.999999-07:00, 1979-05-27t07:32:00, 2024-02-29, 23:59:60.5]",
            #"{"d":[{"type":"datetime","value":"1979-05-27T07:32:00Z"},"#
            + #"{"type":"datetime","value":"1979-05-27T00:32:00.999999-07:00"},"#
            + #"{"type":"datetime-local","value":"1979-05-27T07:32:00"},{"type":"date-local","value":"2024-02-29"},"#
            + #"{"type":"time-local","value":"23:59:60.5"}]}"#),
        // Arrays over lines, with comments and a trailing comma; mixed types.
        ("a = [\n  1, # one\n  \"two\",\n  [3.0],\n  { four = 4 },\n]",
            #"{"a":[{"type":"integer","value":"1"},{"type":"string","value":"two"},[{"type":"float","value":"3.0"}],"#
            + #"{"four":{"type":"integer","value":"4"}}]}"#),
        // Tables.
        ("[a.b]\nx = 1\n[a]\ny = 2", #"{"a":{"b":{"x":{"type":"integer","value":"1"}},"y":{"type":"integer","value":"2"}}}"#),
        ("[a]\nb.c = 1\n[a.b.d]\ne = 2",
            #"{"a":{"b":{"c":{"type":"integer","value":"1"},"d":{"e":{"type":"integer","value":"2"}}}}}"#),
        ("[[r]]\nn = 1\n[r.f]\ng = 2\n[[r]]\nn = 3",
            #"{"r":[{"n":{"type":"integer","value":"1"},"f":{"g":{"type":"integer","value":"2"}}},"#
            + #"{"n":{"type":"integer","value":"3"}}]}"#),
        ("t = { a.b = 1, a.c = 2 }", #"{"t":{"a":{"b":{"type":"integer","value":"1"},"c":{"type":"integer","value":"2"}}}}"#),
    ] as [(String, String?)])
    func validDocumentsDecode(text: String, expected: String?) throws {
        let decoded = try json(text)
        if let expected {
            #expect(decoded == expected)
        }
    }

    // MARK: Invalid documents

    @Test(arguments: [
        // Numbers.
        ("port = 064", TOMLSyntaxError.Kind.badNumber, 1),
        ("x = 1\nport = +01", .badNumber, 2),
        ("x = 00.5", .badNumber, 1),
        ("x = 1__0", .badNumber, 1),
        ("x = _1", .badNumber, 1),
        ("x = 1_", .badNumber, 1),
        ("x = -0x1", .badNumber, 1),
        ("x = 0X1", .badNumber, 1),
        ("x = 0x", .badNumber, 1),
        ("x = 0b102", .badNumber, 1),
        ("x = 9223372036854775808", .numberOutOfRange, 1),
        ("x = -9223372036854775809", .numberOutOfRange, 1),
        ("x = 0x8000000000000000", .numberOutOfRange, 1),
        ("x = .5", .badNumber, 1),
        ("x = 5.", .badNumber, 1),
        ("x = 1.e5", .badNumber, 1),
        ("x = 1e", .badNumber, 1),
        ("x = 1e_5", .badNumber, 1),
        ("x = NaN", .badNumber, 1),
        ("x = Inf", .badNumber, 1),
        ("x = trust", .badNumber, 1),
        ("x = yes", .badNumber, 1),
        // Date-times.
        ("d = 2023-02-29", .badDateTime, 1),
        ("d = 1979-13-01", .badDateTime, 1),
        ("d = 1979-05-27T24:00:00", .badDateTime, 1),
        ("d = 1979-05-27T07:32", .badDateTime, 1),
        ("d = 07:32", .badDateTime, 1),
        ("d = 1979-05-27T07:32:00.", .badDateTime, 1),
        ("d = 1979-05-27T07:32:00+24:00", .badDateTime, 1),
        ("d = 1979-5-27", .badDateTime, 1),
        ("d = 07:32:00Z", .unexpectedCharacter, 1),
        // Strings.
        ("s = \"no end", .unterminatedString, 1),
        ("s = \"\"\"\nno end\n", .unterminatedString, 3),
        ("s = 'no end\n'", .unterminatedString, 1),
        ("s = \"\\e\"", .badEscape, 1),
        ("s = \"\\x41\"", .badEscape, 1),
        ("s = \"\\uD800\"", .badEscape, 1),
        ("s = \"\\u12\"", .badEscape, 1),
        ("s = \"\"\"a \\ b\"\"\"", .badEscape, 1),
        ("s = \"\"\"a\"\"\"\"\"\"", .unexpectedCharacter, 1),
        ("s = \"tab\tok, bell \u{7} not\"", .controlCharacter, 1),
        ("s = '''del \u{7F}'''", .controlCharacter, 1),
        ("s = \"\"\"\nbare\rCR\"\"\"", .controlCharacter, 2),
        ("a = 1 # nul \u{0} in a comment", .controlCharacter, 1),
        ("a = 1\rb = 2", .controlCharacter, 1),
        // Keys, tables and redefinitions.
        ("a = 1\na = 2", .redefinition, 2),
        ("a.b = 1\na.b.c = 2", .redefinition, 2),
        ("[a]\n[a]", .redefinition, 2),
        ("[a.b]\n[a]\n[a]", .redefinition, 3),
        ("[a]\nb.c = 1\n[a.b]", .redefinition, 3),
        ("[a.b.c]\n[a]\nb.c.d = 1", .redefinition, 3),
        ("a = {}\n[a]", .redefinition, 2),
        ("a = {}\n[a.b]", .redefinition, 2),
        ("a = {b = 1}\na.c = 2", .redefinition, 2),
        ("a = {b = {c = 1}, b.d = 2}", .redefinition, 1),
        ("a = [1]\n[[a]]", .redefinition, 2),
        ("[[a]]\n[a]", .redefinition, 2),
        ("[a]\n[[a]]", .redefinition, 2),
        ("a = 1\n[a.b]", .redefinition, 2),
        ("= 1", .unexpectedCharacter, 1),
        ("a b = 1", .unexpectedCharacter, 1),
        ("a = ", .unexpectedCharacter, 1),
        ("a = 1 b = 2", .unexpectedCharacter, 1),
        ("[a] b = 1", .unexpectedCharacter, 1),
        ("[]", .unexpectedCharacter, 1),
        ("[a.]", .unexpectedCharacter, 1),
        ("[ [a]]", .unexpectedCharacter, 1),
        ("[[a] ]", .unexpectedCharacter, 1),
        ("\"\"\"k\"\"\" = 1", .unexpectedCharacter, 1),
        ("ключ = 1", .unexpectedCharacter, 1),
        // Inline tables are one line without a trailing comma (TOML 1.0); arrays may span lines.
        ("t = {\n  a = 1 }", .unexpectedCharacter, 1),
        ("t = { a = 1,\n  b = 2 }", .unexpectedCharacter, 1),
        ("t = { a = 1, }", .unexpectedCharacter, 1),
        ("a = [1 2]", .unexpectedCharacter, 1),
        ("a = [,]", .unexpectedCharacter, 1),
        ("a = [1,,]", .unexpectedCharacter, 1),
        ("a = [\n1,\n2\n", .unexpectedCharacter, 4),
    ])
    func invalidDocumentsAreRejectedWithKindAndLine(text: String, kind: TOMLSyntaxError.Kind, line: Int) {
        let error = syntaxError(Array(text.utf8))
        #expect(error?.kind == kind, "\(String(describing: error))")
        #expect(error?.line == line, "\(String(describing: error))")
    }

    @Test(arguments: [
        [0x61, 0x20, 0x3D, 0x20, 0x22, 0xC3, 0x22],  // a = "<C3>"  (a sequence cut short)
        [0x61, 0x20, 0x3D, 0x20, 0x22, 0xC0, 0xAF, 0x22],  // a = "<C0 AF>"  (overlong '/')
        [0x61, 0x20, 0x3D, 0x20, 0x22, 0xED, 0xA0, 0x80, 0x22],  // a = "<ED A0 80>"  (surrogate U+D800)
        [0x61, 0x20, 0x3D, 0x20, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // a = "<F4 90 80 80>"  (U+110000)
        [0x23, 0x20, 0xFF, 0x0A],  // # <FF>  (in a comment)
        [0x0A, 0x61, 0x20, 0x3D, 0x20, 0x27, 0x80, 0x27],  // \n a = '<80>'  (a lone continuation byte, line 2)
    ] as [[UInt8]])
    func invalidUTF8IsRejected(bytes: [UInt8]) {
        let error = syntaxError(bytes)
        #expect(error?.kind == .invalidUTF8)
        #expect(error?.line == (bytes.first == 0x0A ? 2 : 1))
    }

    // MARK: Lines

    @Test func everyKeyKeepsItsLineAndEveryTableItsHeader() throws {
        let document = try TOMLDocument(
            parsing: """
                a = \"\"\"
                two
                three\"\"\"
                b = [
                  "pub\\"lic",
                ]
                c.d = 1

                [[relay]]
                name = "x"
                [relay.filter]
                generic = [2]
                """)
        #expect(document.root["a"]?.line == 1)
        #expect(document.root["b"]?.line == 4)
        #expect(document.root["b"]?.value == .array([.string("pub\"lic")]))
        #expect(document.root["c"]?.line == 7)
        guard case .array(let relays) = document.root["relay"]?.value, case .table(let relay) = relays.first,
            case .table(let filter) = relay["filter"]?.value
        else {
            Issue.record("no [[relay]] with a [relay.filter]")
            return
        }
        #expect(relay.line == 9)
        #expect(relay["name"]?.line == 10)
        #expect(filter.line == 11)
        #expect(filter["generic"]?.line == 12)
    }

    /// Every proper prefix of a document parses or fails with an error: none crashes or hangs.
    @Test func everyPrefixOfAValidDocumentEndsCleanly() throws {
        let text = Array(
            """
            \u{FEFF}# comment\r
            a.b = "s\\u00e9" # x\r
            c = '''multi
            line'''
            d = [1, 2.5e3, 1979-05-27T07:32:00.5+01:00, 07:32:00, {e = true, "f g" = [[]]}]
            [[h.i]]
            j = \"\"\"x\\
               y\"\"\"
            """.utf8)
        _ = try TOMLDocument(parsing: text)
        for length in 0..<text.count {
            _ = try? TOMLDocument(parsing: Array(text.prefix(length)))
        }
    }
}
