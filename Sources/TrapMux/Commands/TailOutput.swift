#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents

/// How `tail --format json` writes an event line: as received when it holds no control character a terminal
/// would act on, else through `TailCommand.terminalSafeJSON`.
///
/// The server already escapes C0 controls and DEL in JSON strings; C1 controls (U+0080–U+009F, in UTF-8 `C2 80` to
/// `C2 9F`) are valid unescaped JSON and are the only ones to look for. A byte scan per line instead of decoding
/// every line into a String keeps a following subscriber ahead of 50k events/s.
enum TailOutput {
    /// Prints `line` (buffered; the caller flushes).
    static func writeJSON(_ line: [UInt8]) {
        print(isTerminalSafe(line) ? String(decoding: line, as: UTF8.self) : TailCommand.terminalSafeJSON(line))
    }

    /// Whether `line` has no C0 control, DEL or C1 control in it.
    static func isTerminalSafe(_ line: [UInt8]) -> Bool {
        var previous: UInt8 = 0
        for byte in line {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) { return false }
            previous = byte
        }
        return true
    }
}
