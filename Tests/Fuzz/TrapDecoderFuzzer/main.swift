import TrapDecoder
import TrapEvents

// libFuzzer supplies main() when built with --sanitize=fuzzer; see scripts/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = Array(UnsafeBufferPointer(start: data, count: size))
    // The fast path must decline or decode exactly as the reference decoder does.
    if !TrapMessage.fastPathAgrees(on: datagram[...]) {
        fatalError("the fast path and the reference decoder disagree")
    }
    // Exercise everything the server derives from a decode, so its invariants are fuzzed too.
    if let message = try? TrapMessage(decoding: datagram), let classification = message.classify(source: "192.0.2.1") {
        _ = message.operatorText(processName: "fuzz", classification: classification)
    }
    return 0
}
