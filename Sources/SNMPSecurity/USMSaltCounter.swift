/// The source of msgPrivacyParameters for outgoing encrypted messages: a 64-bit counter from a random start, as
/// net-snmp does. A value owned by whoever sends (one per sending loop), so no global state and no lock.
///
/// DES salt = snmpEngineBoots ‖ the counter's low 32 bits (RFC 3414 §8.1.1.1); AES salt = the 64-bit counter
/// (RFC 3826 §3.1.2.1). Salts must not repeat under one key; 2^64 (or 2^32 per boot for DES) messages apart.
public struct USMSaltCounter: Sendable {
    private var next: UInt64

    /// A counter starting at a random value, so salts differ across restarts.
    public init() {
        var generator = SystemRandomNumberGenerator()
        next = generator.next()
    }

    /// A counter starting at `start` (tests).
    public init(start: UInt64) {
        next = start
    }

    /// The next 8-octet salt for `protocol`.
    public mutating func salt(for protocol: USMPrivProtocol, boots: Int32) -> [UInt8] {
        let value = next
        next &+= 1
        switch `protocol` {
        case .des:
            let low = UInt32(truncatingIfNeeded: value)
            return Self.octets(UInt64(UInt32(bitPattern: boots)) << 32 | UInt64(low))
        case .aes, .aes192, .aes256, .aes192Reeder, .aes256Reeder:
            return Self.octets(value)
        }
    }

    private static func octets(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }
}
