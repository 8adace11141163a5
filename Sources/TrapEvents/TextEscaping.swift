import TrapDecoder

/// Turns octets from the network into text that is safe to show on a terminal or in a log line.
///
/// Communities and OCTET STRING values may hold any bytes; control characters written raw could move a
/// terminal's cursor or forge log lines, so they are shown as `\xNN`.
package enum TextEscaping {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// UTF-8 text with control characters, backslashes and invalid sequences escaped as `\xNN`.
    package static func escaped(_ octets: some Collection<UInt8>) -> String {
        var out = OutputBytes(capacity: octets.count + 16)
        appendEscaped(octets, to: &out)
        return out.string
    }

    /// Appends the `escaped` form of `octets` to `out`.
    package static func appendEscaped(_ octets: some Collection<UInt8>, to out: inout OutputBytes) {
        let plain = octets.withContiguousStorageIfAvailable { buffer in
            guard isPlainASCII(buffer, allowingLineControls: false) else { return false }
            out.append(buffer)
            return true
        }
        if plain == true { return }
        var rest = Array(octets)[...]
        while let first = rest.first {
            // A fresh decoder per scalar: after an invalid sequence only its first octet is escaped.
            var decoder = UTF8()
            var iterator = rest.makeIterator()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
                appendEscape(first, to: &out)
                rest = rest.dropFirst()
                continue
            }
            let length = UTF8.width(scalar)
            if isControl(scalar.value) || scalar.value == 0x5C {
                for octet in rest.prefix(length) { appendEscape(octet, to: &out) }
            } else {
                out.append(contentsOf: rest.prefix(length))
            }
            rest = rest.dropFirst(length)
        }
    }

    /// Whether octets are UTF-8 text without control characters (other than tab, CR, LF).
    package static func isPrintable(_ octets: some Collection<UInt8>) -> Bool {
        // Most values are plain ASCII text; checking a contiguous buffer first keeps the generic decoder
        // below off the per-event path.
        if octets.withContiguousStorageIfAvailable({ isPlainASCII($0, allowingLineControls: true) }) == true {
            return true
        }
        var iterator = octets.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if isControl(scalar.value) && scalar.value != 0x09 && scalar.value != 0x0A && scalar.value != 0x0D {
                    return false
                }
            case .emptyInput:
                return true
            case .error:
                return false
            }
        }
    }

    /// Lowercase hex without separators, as in JSON `*_hex` fields.
    package static func hex(_ octets: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(octets.count * 2)
        for octet in octets {
            out.append(hexDigits[Int(octet >> 4)])
            out.append(hexDigits[Int(octet & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Uppercase hex pairs separated by spaces (`00 1A FF`).
    package static func spacedHex(_ octets: some Collection<UInt8>) -> String {
        var out = OutputBytes(capacity: octets.count * 3)
        appendSpacedHex(octets, to: &out)
        return out.string
    }

    /// Appends the `spacedHex` form of `octets` to `out`.
    package static func appendSpacedHex(_ octets: some Collection<UInt8>, to out: inout OutputBytes) {
        var first = true
        for octet in octets {
            if !first { out.append(0x20) }
            first = false
            out.append(upperHexDigits[Int(octet >> 4)])
            out.append(upperHexDigits[Int(octet & 0x0F)])
        }
    }

    private static func isControl(_ scalar: UInt32) -> Bool {
        scalar < 0x20 || scalar == 0x7F || (0x80..<0xA0).contains(scalar)
    }

    private static func appendEscape(_ octet: UInt8, to out: inout OutputBytes) {
        out.append(0x5C)
        out.append(UInt8(ascii: "x"))
        out.append(hexDigits[Int(octet >> 4)])
        out.append(hexDigits[Int(octet & 0x0F)])
    }
}

extension TextEscaping {
    /// Whether every octet is printable ASCII other than the backslash (optionally also tab, CR and LF).
    package static func isPlainASCII(_ octets: UnsafeBufferPointer<UInt8>, allowingLineControls: Bool) -> Bool {
        for octet in octets {
            if octet >= 0x20 && octet < 0x7F && (octet != 0x5C || allowingLineControls) { continue }
            if allowingLineControls && (octet == 0x09 || octet == 0x0A || octet == 0x0D) { continue }
            return false
        }
        return true
    }

    /// Whether octets are well-formed UTF-8 (so they can be shown as a JSON string).
    package static func isValidUTF8(_ octets: some Collection<UInt8>) -> Bool {
        if octets.withContiguousStorageIfAvailable({ buffer in buffer.allSatisfy { $0 < 0x80 } }) == true {
            return true
        }
        var iterator = octets.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
