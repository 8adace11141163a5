/// Hex text as operators write engine IDs: digits in either case, an optional `0x` prefix.
enum HexText {
    /// The octets `text` spells; nil when it is empty or not hex.
    static func octets(_ text: String) -> [UInt8]? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, !digits.contains(where: \.isWhitespace) else { return nil }
        return DatagramFile.hexDecoded(Array(digits.utf8))
    }
}
