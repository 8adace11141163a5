/// Appends numbers as ASCII decimal digits to byte buffers.
///
/// Events are rendered as bytes, and going through `String(value)` allocated a string per number; this
/// writes the digits in place.
public enum DecimalText {
    /// Appends `value` in decimal.
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        var v = value
        var index = start + digits - 1
        while v > 0 {
            bytes[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
            index -= 1
        }
    }

    /// Appends a signed `value` in decimal.
    public static func append(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        append(value.magnitude, to: &bytes)
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits.
    public static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        if digits < width {
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits))
        }
        append(value, to: &bytes)
    }
}
