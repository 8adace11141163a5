/// Writes JSON text straight into a byte buffer, with no intermediate objects.
///
/// Events are encoded once per format however many subscribers share them, so this sits on the hot path;
/// it only appends bytes. Callers are responsible for well-formed nesting, which `TrapJSON` keeps simple.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the value call that follows does not add a comma.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func key(_ key: String) {
        separate()
        appendQuoted(key.utf8)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        appendQuoted(value.utf8)
        needsComma = true
    }

    /// Writes octets known to be valid UTF-8 as a JSON string.
    mutating func string(utf8 value: some Collection<UInt8>) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// Writes octets as a lowercase hex string.
    mutating func hexString(_ octets: some Collection<UInt8>) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        for octet in octets {
            bytes.append(Self.hexDigits[Int(octet >> 4)])
            bytes.append(Self.hexDigits[Int(octet & 0x0F)])
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func number(_ value: some BinaryInteger) {
        separate()
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        appendDigits(value.magnitude)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    /// Writes pre-encoded JSON as a value.
    mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendDigits(_ value: some BinaryInteger) {
        var v = UInt64(truncatingIfNeeded: value)
        if v == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        let start = bytes.count
        while v > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        }
        bytes[start...].reverse()
    }

    private mutating func appendQuoted(_ utf8: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for octet in utf8 {
            switch octet {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(octet)
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(octet)
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case ..<0x20, 0x7F:
                bytes.append(contentsOf: Self.unicodeEscapePrefix)
                bytes.append(Self.hexDigits[Int(octet >> 4)])
                bytes.append(Self.hexDigits[Int(octet & 0x0F)])
            default:
                bytes.append(octet)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let unicodeEscapePrefix: [UInt8] = Array("\\u00".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
}
