/// A USM passphrase. It prints as `<redacted>` in descriptions, dumps and mirrors, so a user model that ends up in a
/// log line or an error never shows it.
public struct USMPassphrase: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// The passphrase's UTF-8 octets, the input of password-to-key (RFC 3414 A.2).
    let octets: [UInt8]

    /// Wraps a passphrase.
    public init(_ text: String) {
        octets = Array(text.utf8)
    }

    /// Wraps a passphrase given as a literal (tests, examples).
    public init(stringLiteral text: String) {
        self.init(text)
    }

    /// Its length in octets, which configuration checks without seeing it.
    public var count: Int { octets.count }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
