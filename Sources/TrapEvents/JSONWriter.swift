import TrapDecoder

/// Writes JSON text straight into a byte buffer, with no intermediate objects.
///
/// Events are encoded once per format however many subscribers share them, so this sits on the hot path;
/// it only appends bytes. Callers are responsible for well-formed nesting, which `TrapJSON` keeps simple.
package struct JSONWriter: ~Copyable {
    /// The JSON written so far.
    private(set) var output: OutputBytes
    private var needsComma = false

    package init(capacity: Int = 512) {
        output = OutputBytes(capacity: capacity)
    }

    /// A writer that appends to `output` (a reused buffer); `finishLine` hands it back.
    package init(continuing output: consuming OutputBytes) {
        self.output = output
    }

    /// Ends the line with a newline and hands back the buffer.
    package consuming func finishLine() -> OutputBytes {
        output.append(0x0A)
        return output
    }

    /// The JSON written so far, as an array.
    package var bytes: [UInt8] { output.array }

    /// The JSON followed by a newline: one line of the subscriber protocol.
    package consuming func line() -> [UInt8] {
        output.append(0x0A)
        return output.array
    }

    /// Hands the JSON, followed by a newline, to `body`: lets the caller copy it once into its own buffer.
    package consuming func withLine<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        output.append(0x0A)
        return output.withBytes(body)
    }

    package mutating func beginObject() {
        separate()
        output.append(UInt8(ascii: "{"))
        needsComma = false
    }

    package mutating func endObject() {
        output.append(UInt8(ascii: "}"))
        needsComma = true
    }

    package mutating func beginArray() {
        separate()
        output.append(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        output.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the value call that follows does not add a comma. One capacity check, then the bytes.
    @inline(__always)
    package mutating func key(_ key: StaticString) {
        let comma = needsComma
        key.withUTF8Buffer { name in
            output.appendUnsafe(upTo: name.count &+ 4) { destination in
                var index = 0
                if comma {
                    destination[0] = UInt8(ascii: ",")
                    index = 1
                }
                destination[index] = UInt8(ascii: "\"")
                (destination + (index &+ 1)).update(from: name.baseAddress!, count: name.count)
                index &+= name.count &+ 1
                destination[index] = UInt8(ascii: "\"")
                destination[index &+ 1] = UInt8(ascii: ":")
                return index &+ 2
            }
        }
        needsComma = false
    }

    /// Writes `"key":value` for a number.
    package mutating func field(_ key: StaticString, _ value: some BinaryInteger) {
        self.key(key)
        number(value)
    }

    /// Writes `"key":"value"`.
    package mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        string(value)
    }

    /// Writes `"key":"value"` for a literal that needs no escaping (type names, version names, generic names).
    package mutating func field(_ key: StaticString, literal value: StaticString) {
        self.key(key)
        value.withUTF8Buffer { text in
            output.appendUnsafe(upTo: text.count &+ 2) { destination in
                destination[0] = UInt8(ascii: "\"")
                (destination + 1).update(from: text.baseAddress!, count: text.count)
                destination[text.count &+ 1] = UInt8(ascii: "\"")
                return text.count &+ 2
            }
        }
        needsComma = true
    }

    /// Writes a key that is only known at run time; literal keys take the `StaticString` form.
    package mutating func key(named key: String) {
        separate()
        var key = key
        key.withUTF8 { appendQuoted($0) }
        output.append(UInt8(ascii: ":"))
        needsComma = false
    }

    package mutating func string(_ value: String) {
        separate()
        var value = value
        // withUTF8 gives small (inline) strings a contiguous buffer too; their UTF8View would not.
        value.withUTF8 { appendQuoted($0) }
        needsComma = true
    }

    /// Writes octets known to be valid UTF-8 as a JSON string.
    package mutating func string(utf8 value: some Collection<UInt8>) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// Writes text rendered into `text` (valid UTF-8 by construction) as a JSON string.
    package mutating func string(rendered text: borrowing OutputBytes) {
        separate()
        output.append(UInt8(ascii: "\""))
        text.withBytes { appendEscaped($0) }
        output.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Writes octets as a lowercase hex string.
    package mutating func hexString(_ octets: ArraySlice<UInt8>) {
        separate()
        output.append(UInt8(ascii: "\""))
        octets.withUnsafeBufferPointer { source in
            output.appendUnsafe(upTo: source.count &* 2) { destination in
                for (index, octet) in source.enumerated() {
                    destination[index &* 2] = Self.hexDigits[Int(octet >> 4)]
                    destination[index &* 2 &+ 1] = Self.hexDigits[Int(octet & 0x0F)]
                }
                return source.count &* 2
            }
        }
        output.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    package mutating func number(_ value: some BinaryInteger) {
        separate()
        if value < 0 {
            output.append(UInt8(ascii: "-"))
        }
        DecimalText.append(UInt64(truncatingIfNeeded: value.magnitude), to: &output)
        needsComma = true
    }

    /// Writes an OID as a dotted-decimal JSON string, straight from its encoding.
    package mutating func oid(_ oid: OID) {
        quoted { oid.appendDotted(to: &$0) }
    }

    /// Writes an IPv4 address as a dotted-quad JSON string.
    package mutating func ipv4(_ address: IPv4Address) {
        quoted { address.appendDotted(to: &$0) }
    }

    /// Writes a time as an RFC 3339 UTC JSON string with microseconds.
    package mutating func timestamp(microseconds: Int64) {
        quoted { RFC3339.append(microseconds: microseconds, to: &$0) }
    }

    package mutating func bool(_ value: Bool) {
        separate()
        output.append(value ? "true" : "false")
        needsComma = true
    }

    package mutating func null() {
        separate()
        output.append("null")
        needsComma = true
    }

    /// Writes a JSON string whose text `render` appends and which needs no escaping (digits and dots).
    @inline(__always)
    private mutating func quoted(_ render: (inout OutputBytes) -> Void) {
        separate()
        output.append(UInt8(ascii: "\""))
        render(&output)
        output.append(UInt8(ascii: "\""))
        needsComma = true
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma {
            output.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendQuoted(_ utf8: some Collection<UInt8>) {
        if let done = utf8.withContiguousStorageIfAvailable({ appendQuoted($0) }) {
            return done
        }
        Array(utf8).withUnsafeBufferPointer { appendQuoted($0) }
    }

    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        output.append(UInt8(ascii: "\""))
        appendEscaped(utf8)
        output.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escape in one call: almost every value is one such run, and per-octet
    /// appends were the largest cost of encoding an event. Eight octets are checked at a time.
    private mutating func appendEscaped(_ octets: UnsafeBufferPointer<UInt8>) {
        guard let base = octets.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let count = octets.count
        var runStart = 0
        var index = 0
        while index < count {
            if index &+ 8 <= count, !Self.needsEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index &+= 8
                continue
            }
            let octet = base[index]
            guard octet < 0x20 || octet == 0x22 || octet == 0x5C || octet == 0x7F else {
                index &+= 1
                continue
            }
            if runStart < index {
                output.append(UnsafeBufferPointer(start: base + runStart, count: index &- runStart))
            }
            index &+= 1
            runStart = index
            appendEscape(for: octet)
        }
        if runStart < count {
            output.append(UnsafeBufferPointer(start: base + runStart, count: count &- runStart))
        }
    }

    private mutating func appendEscape(for octet: UInt8) {
        output.append(UInt8(ascii: "\\"))
        switch octet {
        case 0x22, 0x5C: output.append(octet)
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
            output.append("u00")
            output.append(Self.hexDigit(octet >> 4))
            output.append(Self.hexDigit(octet & 0x0F))
        }
    }

    /// Whether any of eight octets is a control character, `"`, `\\` or DEL (the classic has-less-than and
    /// has-zero-byte word tricks; octets from 0x80 up never match).
    @inline(__always)
    private static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below0x20 = word &- ones &* 0x20
        let quote = (word ^ (ones &* 0x22)) &- ones
        let backslash = (word ^ (ones &* 0x5C)) &- ones
        let delete = (word ^ (ones &* 0x7F)) &- ones
        // Each term has the high bit of a byte set where that byte matched (before masking by ~word).
        return (below0x20 | quote | backslash | delete) & ~word & highs != 0
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
}
