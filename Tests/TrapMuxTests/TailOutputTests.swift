import Testing

@testable import TrapMux

/// `tail --format json` writes a line as received only when no terminal control is in it.
@Suite struct TailOutputTests {
    @Test(arguments: [
        (#"{"text":"plain ascii"}"#, true),
        (#"{"text":"caf\#u{E9} \#u{2603}"}"#, true),
        ("{\"text\":\"bell \u{07}\"}", false),
        ("{\"text\":\"del \u{7F}\"}", false),
        ("{\"text\":\"csi \u{9B}2J\"}", false),
        ("{\"text\":\"next line \u{85}\"}", false),
    ])
    func onlyLinesWithoutControlsAreWrittenAsReceived(line: String, safe: Bool) {
        #expect(TailOutput.isTerminalSafe(Array(line.utf8)) == safe)
    }
}
