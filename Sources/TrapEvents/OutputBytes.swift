import TrapDecoder

/// A growable byte buffer for rendering text, written through a raw pointer.
///
/// Events are rendered as several hundred small appends (keys, digits, separators); through `[UInt8]`
/// each append paid a uniqueness and capacity check in a call, which made rendering the largest cost
/// per event. Noncopyable, so the storage has exactly one owner and needs no reference counting.
package struct OutputBytes: ~Copyable {
    @usableFromInline package var base: UnsafeMutablePointer<UInt8>
    @usableFromInline package var capacity: Int
    @usableFromInline package var written: Int

    /// Number of bytes written so far.
    package var count: Int { written }

    /// An empty buffer with room for `capacity` bytes before it grows.
    package init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
        written = 0
    }

    deinit {
        base.deallocate()
    }

    /// Forgets what was written and keeps the storage: a renderer reuses one buffer for every event.
    package mutating func removeAll() {
        written = 0
    }

    /// Appends one byte.
    @inlinable @inline(__always)
    package mutating func append(_ byte: UInt8) {
        if written == capacity { grow(minimum: written + 1) }
        base[written] = byte
        written += 1
    }

    /// Appends raw bytes.
    @inlinable @inline(__always)
    package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if written + bytes.count > capacity { grow(minimum: written + bytes.count) }
        (base + written).update(from: source, count: bytes.count)
        written += bytes.count
    }

    /// Appends a literal's UTF-8.
    @inlinable @inline(__always)
    package mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    /// Appends a string's UTF-8.
    @inlinable
    package mutating func append(string text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends octets from any collection (contiguous ones in one copy).
    @inlinable
    package mutating func append(contentsOf octets: some Collection<UInt8>) {
        if octets.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for octet in octets { append(octet) }
        }
    }

    /// Appends `n` copies of `byte`.
    @inlinable
    package mutating func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        if written + n > capacity { grow(minimum: written + n) }
        (base + written).initialize(repeating: byte, count: n)
        written += n
    }

    /// Appends `value` in decimal, two digits at a time from a table, written straight into place from the last.
    @inlinable
    package mutating func append(decimal value: UInt64) {
        let digits = Self.decimalDigits(value)
        if written + digits > capacity { grow(minimum: written + digits) }
        Self.writeDecimal(value, digits: digits, at: base + written)
        written += digits
    }

    /// Makes room for `count` more bytes and hands `body` the place to write them; `body` returns how many it wrote.
    /// For renderers that know an upper bound: one capacity check instead of one per byte.
    @inlinable @inline(__always)
    package mutating func appendUnsafe(upTo count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if written + count > capacity { grow(minimum: written + count) }
        written += body(base + written)
    }

    /// The number of decimal digits of `value`.
    @inlinable @inline(__always)
    package static func decimalDigits(_ value: UInt64) -> Int {
        if value < 10 { return 1 }
        if value < 100 { return 2 }
        if value < 1000 { return 3 }
        if value < 10_000 { return 4 }
        var digits = 5
        var bound: UInt64 = 100_000
        while digits < 20 && value >= bound {
            digits += 1
            bound = bound &* 10
        }
        return digits
    }

    /// Writes the `digits` decimal digits of `value` at `destination`, from the last one. Plain arithmetic: a digit
    /// table is a lazily initialised global, and its access check cost more than the division it saves.
    @inlinable @inline(__always)
    package static func writeDecimal(_ value: UInt64, digits: Int, at destination: UnsafeMutablePointer<UInt8>) {
        var v = value
        var index = digits
        repeat {
            index &-= 1
            let quotient = v / 10
            destination[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v &- quotient &* 10)
            v = quotient
        } while v > 0
    }

    /// Calls `body` with the bytes written so far.
    package func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: written))
    }

    /// The bytes written so far, as an array.
    package var array: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: written))
    }

    /// The bytes written so far, as a string (they are UTF-8 by construction; anything else is repaired).
    package var string: String {
        String(decoding: UnsafeBufferPointer(start: base, count: written), as: UTF8.self)
    }

    @usableFromInline
    package mutating func grow(minimum: Int) {
        let newCapacity = Swift.max(minimum, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: written)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
