@testable import SNMPSecurity
import TrapDecoder

/// Edits of a valid message, re-signed with the right key where a test needs an authentic but faulty message.
enum Resigning {
    /// The datagram with its HMAC recomputed for `user` (RFC 3414 §6.3.1: over the message with the field zeroed).
    static func signed(_ datagram: [UInt8], by user: USMLocalizedUser) -> [UInt8] {
        var bytes = datagram
        let field = try! SNMPv3Envelope(decoding: bytes[...]).header.usm!.authenticationParameters.indices
        bytes.replaceSubrange(field, with: repeatElement(0, count: field.count))
        bytes.replaceSubrange(field, with: user.authProtocol!.mac(key: user.authKey, data: bytes)!)
        return bytes
    }

    /// The index in `datagram` of the first occurrence of `pattern`.
    static func index(of pattern: [UInt8], in datagram: [UInt8]) -> Int {
        for start in 0...(datagram.count - pattern.count)
        where datagram[start..<start + pattern.count].elementsEqual(pattern) {
            return start
        }
        fatalError("pattern not found")
    }

    /// `datagram` with `pattern` (first occurrence) replaced by `replacement` of the same length.
    static func replacing(_ pattern: [UInt8], with replacement: [UInt8], in datagram: [UInt8]) -> [UInt8] {
        precondition(pattern.count == replacement.count)
        var bytes = datagram
        let start = index(of: pattern, in: datagram)
        bytes.replaceSubrange(start..<start + pattern.count, with: replacement)
        return bytes
    }
}
