import Foundation
import Testing

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// What `trapmux tail --format json` prints: still JSON, with nothing raw for a terminal.
struct TailCommandTests {
    @Test func jsonLinesStayValidJSONWithControlCharactersEscaped() throws {
        // A backslash the server escaped, and a C1 control (U+0085) that JSON allows raw.
        let line = Array(#"{"type":"trap","community":"a\\b\"c"#.utf8) + [0xC2, 0x85] + Array(#"d","n":1}"#.utf8)
        let printed = TailCommand.terminalSafeJSON(line)
        #expect(!printed.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        let object = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [String: Any]
        #expect(object?["community"] as? String == "a\\b\"c\u{85}d")
        #expect(object?["n"] as? Int == 1)
    }
}
