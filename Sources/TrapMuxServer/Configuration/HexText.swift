import TrapDecoder
import TrapEvents

/// Hex text as operators write engine IDs and datagrams: digits in either case.
package enum HexText {
    /// The octets `text` spells; nil when it is empty or not hex.
    package static func octets(_ text: String) -> [UInt8]? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, !digits.contains(where: \.isWhitespace) else { return nil }
        return decoded(Array(digits.utf8))
    }

    /// The octets spelled by hex text (whitespace between digits allowed); nil if `text` is not hex.
    package static func decoded(_ text: [UInt8]) -> [UInt8]? {
        var octets: [UInt8] = []
        octets.reserveCapacity(text.count / 2)
        var high: UInt8?
        for character in text {
            if character == 0x20 || character == 0x0A || character == 0x0D || character == 0x09 { continue }
            guard let nibble = nibble(character) else { return nil }
            if let h = high {
                octets.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil, !octets.isEmpty else { return nil }
        return octets
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
