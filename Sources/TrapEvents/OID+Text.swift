import TrapDecoder

extension OID {
    /// Appends the dotted decimal text to `bytes`: what event encoders use, without a String per OID.
    package func appendDotted(to bytes: inout OutputBytes) {
        var value: UInt64 = 0
        var isFirst = true
        for octet in encoded {
            value = value << 7 | UInt64(octet & 0x7F)
            guard octet & 0x80 == 0 else { continue }
            if isFirst {
                // X.690 §8.19.4: the first sub-identifier is 40·X + Y, and only X = 2 takes Y > 39.
                let first: UInt64 = value < 40 ? 0 : (value < 80 ? 1 : 2)
                DecimalText.append(first, to: &bytes)
                bytes.append(UInt8(ascii: "."))
                DecimalText.append(UInt64(UInt32(truncatingIfNeeded: value - 40 * first)), to: &bytes)
                isFirst = false
            } else {
                bytes.append(UInt8(ascii: "."))
                DecimalText.append(UInt64(UInt32(truncatingIfNeeded: value)), to: &bytes)
            }
            value = 0
        }
    }
}

extension IPv4Address {
    /// Appends the dotted quad text to `bytes`.
    package func appendDotted(to bytes: inout OutputBytes) {
        DecimalText.append(UInt64(value >> 24), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        DecimalText.append(UInt64((value >> 16) & 0xFF), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        DecimalText.append(UInt64((value >> 8) & 0xFF), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        DecimalText.append(UInt64(value & 0xFF), to: &bytes)
    }
}
