// libFuzzer supplies main() when built with --sanitize=fuzzer; see scripts/fuzz.

import TOML
import TrapMuxServer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? TOMLDocument(parsing: bytes) else { return 0 }
    // Exercise what check-config and the schema layer derive from a document, and its invariants.
    _ = document.taggedJSON
    let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    check(document.root, depth: 0, lines: lines)
    checkSchema(bytes, lines: lines)
    return 0
}

/// The server's reading of a document that parses (what `check-config`, `serve` and a SIGHUP do): a configuration,
/// or an error that names a line of the input and says what is wrong.
private func checkSchema(_ bytes: [UInt8], lines: Int) {
    do {
        let configuration = try TrapMuxConfiguration.parse(bytes: bytes, file: "fuzz.toml")
        precondition(!configuration.listen.isEmpty, "a configuration without a listen address")
        _ = configuration.restartOnlyChanges(comparedTo: TrapMuxConfiguration())
        _ = configuration.reloadable(onto: TrapMuxConfiguration())
    } catch {
        precondition(!error.message.isEmpty, "an error without a message")
        precondition(error.line.map { (1...lines).contains($0) } ?? true, "error line \(String(describing: error.line))")
    }
}

/// Every key and table lies on a line of the input, and nothing nests deeper than the limit.
private func check(_ table: TOMLTable, depth: Int, lines: Int) {
    precondition(depth <= TOMLDocument.maximumDepth, "a table \(depth) deep")
    precondition(depth == 0 || (1...lines).contains(table.line), "table line \(table.line) of \(lines)")
    for (_, entry) in table.orderedEntries {
        precondition((1...lines).contains(entry.line), "key line \(entry.line) of \(lines)")
        check(entry.value, depth: depth, lines: lines)
    }
}

private func check(_ value: TOMLValue, depth: Int, lines: Int) {
    switch value {
    case .table(let table):
        check(table, depth: depth + 1, lines: lines)
    case .array(let items):
        precondition(depth + 1 <= TOMLDocument.maximumDepth, "an array \(depth + 1) deep")
        for item in items { check(item, depth: depth + 1, lines: lines) }
    case .dateTime(let moment):
        precondition(!moment.description.isEmpty)
    case .string, .integer, .float, .boolean:
        break
    }
}
