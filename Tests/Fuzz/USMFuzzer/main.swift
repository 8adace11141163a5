// libFuzzer supplies main() when built with --sanitize=fuzzer; see scripts/fuzz and USMFuzzTarget.swift.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    USMFuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
