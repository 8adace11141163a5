import TrapDecoder

/// The error that decoding `bytes` throws, or nil when they decode.
func decodingError(_ bytes: [UInt8]) -> TrapDecodingError? {
    do throws(TrapDecodingError) {
        _ = try TrapMessage(decoding: bytes)
        return nil
    } catch {
        return error
    }
}

/// Octets as spaced lowercase hex, for failure messages.
func hex(_ bytes: some Collection<UInt8>) -> String {
    bytes.map { ($0 < 0x10 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}
