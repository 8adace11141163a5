import TrapDecoder

extension OID {
    /// Appends the dotted decimal text to `bytes`: what event encoders use, without a String per OID.
    ///
    /// One capacity check for the whole OID (a sub-identifier of n octets has at most 3n digits, plus its dot), then
    /// digits written in place; most arcs are one octet.
    package func appendDotted(to bytes: inout OutputBytes) {
        withEncoded { octets in
            bytes.appendUnsafe(upTo: octets.count &* 4 &+ 8) { destination in
                var written = 0
                var value: UInt64 = 0
                var isFirst = true
                for octet in octets {
                    value = value << 7 | UInt64(octet & 0x7F)
                    guard octet & 0x80 == 0 else { continue }
                    if isFirst {
                        // X.690 §8.19.4: the first sub-identifier is 40·X + Y, and only X = 2 takes Y > 39.
                        let first: UInt64 = value < 40 ? 0 : (value < 80 ? 1 : 2)
                        destination[0] = UInt8(ascii: "0") &+ UInt8(first)
                        destination[1] = UInt8(ascii: ".")
                        written = 2
                        value &-= 40 &* first
                        isFirst = false
                    } else {
                        destination[written] = UInt8(ascii: ".")
                        written &+= 1
                    }
                    let digits = OutputBytes.decimalDigits(value)
                    OutputBytes.writeDecimal(value, digits: digits, at: destination + written)
                    written &+= digits
                    value = 0
                }
                return written
            }
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
