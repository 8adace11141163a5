import ArgumentParser
import SNMPSecurity
import TrapDecoder

/// The SNMPv3 options of `trapmux send`, with net-snmp's names (`snmptrap`/`snmpinform -v 3 -u -l -a -A -x -X -e -E
/// -n`) and long forms.
///
/// Passphrases are only ever handed to `USMPassphrase`, which prints as `<redacted>`; no message here quotes one.
struct SNMPv3Options: ParsableArguments {
    @Option(name: [.customShort("u"), .customLong("user")], help: "SNMPv3 user (securityName).")
    var user: String?

    @Option(
        name: [.customShort("l"), .customLong("security-level")],
        help: "SNMPv3 security level (default noAuthNoPriv).")
    var securityLevel: SNMPSecurityLevel?

    @Option(
        name: [.customShort("a"), .customLong("auth-protocol")],
        help: "SNMPv3 authentication protocol.")
    var authProtocol: USMAuthProtocol?

    // Taken whatever it looks like (a passphrase may start with '-'), so a parse error can never quote part of it.
    @Option(
        name: [.customShort("A"), .customLong("auth-passphrase")], parsing: .unconditional,
        help: "SNMPv3 authentication passphrase, at least 8 characters.")
    var authPassphrase: String?

    @Option(
        name: [.customShort("x"), .customLong("priv-protocol")],
        help: "SNMPv3 privacy protocol (AES-192/256 extend keys as Blumenthal, the -C ones as Reeder).")
    var privProtocol: USMPrivProtocol?

    @Option(
        name: [.customShort("X"), .customLong("priv-passphrase")], parsing: .unconditional,
        help: "SNMPv3 privacy passphrase, at least 8 characters.")
    var privPassphrase: String?

    @Option(
        name: [.customShort("e"), .customLong("engine-id")],
        help: """
            SNMPv3 authoritative engine ID in hex. Traps: this sender's (default: 80001f8804 + hex of \
            "trapmux-send@" + host name, stable; --verbose prints it). Informs: the receiver's, which skips discovery.
            """)
    var engineID: EngineIDArgument?

    @Option(
        name: [.customShort("E"), .customLong("context-engine-id")],
        help: "SNMPv3 contextEngineID in hex (default: this sender's engine ID).")
    var contextEngineID: EngineIDArgument?

    @Option(name: [.customShort("n"), .customLong("context")], help: "SNMPv3 contextName (default: empty).")
    var context = ""

    @Option(
        name: .customLong("engine-boots"),
        help: "SNMPv3 traps: this sender's snmpEngineBoots (default 1).")
    var engineBoots: Int32?

    @Option(
        name: .customLong("engine-time"),
        help: "SNMPv3 traps: this sender's snmpEngineTime at the start (default 0); it advances with the run.")
    var engineTime: Int32?

    /// Whether any SNMPv3 option was given (`--context ""` is the default and counts only when not empty).
    var anyGiven: Bool {
        user != nil || securityLevel != nil || authProtocol != nil || authPassphrase != nil || privProtocol != nil
            || privPassphrase != nil || engineID != nil || contextEngineID != nil || !context.isEmpty
            || engineBoots != nil || engineTime != nil
    }

    /// The level asked for: noAuthNoPriv unless `-l` says otherwise, as net-snmp defaults.
    var level: SNMPSecurityLevel { securityLevel ?? .noAuthNoPriv }

    /// Checks what SNMPv3 needs, with messages that say which option to add or drop.
    func validate(inform: Bool) throws {
        guard let user, !user.isEmpty else {
            throw ValidationError("SNMPv3 needs a user: -u/--user NAME")
        }
        guard user.utf8.count <= 32 else {
            throw ValidationError("-u/--user: an SNMPv3 user name has at most 32 octets, not \(user.utf8.count)")
        }
        let level = self.level
        let allowedAuth = USMAuthProtocol.allCases.map(\.rawValue).joined(separator: ", ")
        let allowedPriv = USMPrivProtocol.allCases.map(\.rawValue).joined(separator: ", ")
        if level.isAuthenticated {
            guard authProtocol != nil else {
                throw ValidationError("-l \(level.rawValue) needs -a/--auth-protocol, one of \(allowedAuth)")
            }
            try Self.checkPassphrase(authPassphrase, option: "-A/--auth-passphrase", level: level)
        } else if authProtocol != nil || authPassphrase != nil {
            throw ValidationError(
                "-a/-A authenticate, which -l noAuthNoPriv does not do: add -l authNoPriv or -l authPriv, or drop them")
        }
        if level.isPrivate {
            guard privProtocol != nil else {
                throw ValidationError("-l authPriv needs -x/--priv-protocol, one of \(allowedPriv)")
            }
            try Self.checkPassphrase(privPassphrase, option: "-X/--priv-passphrase", level: level)
        } else if privProtocol != nil || privPassphrase != nil {
            throw ValidationError(
                "-x/-X encrypt, which -l \(level.rawValue) does not do: add -l authPriv, or drop them")
        }
        if let engineBoots, !(0...Int32.max - 1).contains(engineBoots) {
            throw ValidationError("--engine-boots must be 0…2147483646 (2147483647 means the engine is worn out)")
        }
        if let engineTime, engineTime < 0 {
            throw ValidationError("--engine-time must be 0…2147483647")
        }
        if inform, engineBoots != nil || engineTime != nil {
            throw ValidationError(
                "--engine-boots and --engine-time are this sender's clock for traps; an inform uses the receiver's, "
                    + "learnt by engine ID discovery")
        }
    }

    private static func checkPassphrase(_ passphrase: String?, option: String, level: SNMPSecurityLevel) throws {
        guard let passphrase else {
            throw ValidationError("-l \(level.rawValue) needs \(option)")
        }
        // net-snmp refuses shorter ones (RFC 3414 §11.2 advises against them); the count is of octets, as there.
        guard passphrase.utf8.count >= 8 else {
            throw ValidationError("\(option) must have at least 8 characters, as net-snmp requires")
        }
    }

    /// The user as configured: its passphrases wrapped, its keys not yet derived (they depend on the engine ID).
    var usmUser: USMUser {
        let level = self.level
        return USMUser(
            name: user ?? "", authProtocol: level.isAuthenticated ? authProtocol : nil,
            authPassphrase: level.isAuthenticated ? authPassphrase.map { USMPassphrase($0) } : nil,
            privProtocol: level.isPrivate ? privProtocol : nil,
            privPassphrase: level.isPrivate ? privPassphrase.map { USMPassphrase($0) } : nil)
    }

    /// A summary for --verbose and results: user, level and protocols, never a passphrase.
    var summary: String {
        var text = "user \"\(user ?? "")\", \(level.rawValue)"
        if level.isAuthenticated, let authProtocol {
            text += ", auth \(authProtocol.rawValue)"
        }
        if level.isPrivate, let privProtocol {
            text += ", priv \(privProtocol.rawValue)"
        }
        return text
    }
}
