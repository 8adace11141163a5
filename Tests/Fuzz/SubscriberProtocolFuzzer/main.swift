// libFuzzer supplies main() when built with --sanitize=fuzzer; see scripts/fuzz.

/// The first octet picks the harness: even, the rest is one request line (`LineChecks`); odd, the rest is a script
/// of byte chunks and events driven through one connection's real handler (`StreamHarness`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 0 {
        LineChecks.check(rest)
    } else {
        StreamHarness.run(script: rest)
    }
    return 0
}
