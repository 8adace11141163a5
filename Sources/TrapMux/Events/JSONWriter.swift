import TrapDecoder

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

    /// Writes a key that is only known at run time; literal keys take the `StaticString` form.
    mutating func key(named key: String) {
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
        DecimalText.append(UInt64(truncatingIfNeeded: value.magnitude), to: &bytes)
        needsComma = true
    }

    /// Writes an OID as a dotted-decimal JSON string, straight from its encoding.
    mutating func oid(_ oid: OID) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        oid.appendDotted(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Writes an IPv4 address as a dotted-quad JSON string.
    mutating func ipv4(_ address: IPv4Address) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        address.appendDotted(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Writes a time as an RFC 3339 UTC JSON string with microseconds.
    mutating func timestamp(microseconds: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(microseconds: microseconds, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
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

    private mutating func appendQuoted(_ utf8: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        if utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            Array(utf8).withUnsafeBufferPointer { appendEscaped($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escape in one call: almost every value is one such run, and per-octet
    /// appends were the largest cost of encoding an event.
    private mutating func appendEscaped(_ octets: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in 0..<octets.count {
            let octet = octets[index]
            guard octet < 0x20 || octet == 0x22 || octet == 0x5C || octet == 0x7F else { continue }
            if runStart < index {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: octets[runStart..<index]))
            }
            runStart = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch octet {
            case 0x22, 0x5C: bytes.append(octet)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(contentsOf: Self.unicodeEscapeTail)
                bytes.append(Self.hexDigits[Int(octet >> 4)])
                bytes.append(Self.hexDigits[Int(octet & 0x0F)])
            }
        }
        if runStart < octets.count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: octets[runStart...]))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let unicodeEscapeTail: [UInt8] = Array("u00".utf8)
    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
}
