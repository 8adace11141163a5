import TrapDecoder

/// Appends numbers as ASCII decimal digits to byte buffers.
///
/// Events are rendered as bytes, and going through `String(value)` allocated a string per number; this
/// writes the digits in place.
package enum DecimalText {
    /// Appends `value` in decimal.
    @inlinable
    package static func append(_ value: UInt64, to bytes: inout OutputBytes) {
        bytes.append(decimal: value)
    }

    /// Appends a signed `value` in decimal.
    @inlinable
    package static func append(_ value: Int64, to bytes: inout OutputBytes) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        append(value.magnitude, to: &bytes)
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits.
    package static func append(_ value: UInt64, width: Int, to bytes: inout OutputBytes) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        bytes.append(repeating: UInt8(ascii: "0"), count: width - digits)
        append(value, to: &bytes)
    }
}
