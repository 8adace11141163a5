import ArgumentParser

/// The exit statuses of every command (SPEC §10): 0 ok, 1 runtime failure, 2 configuration error, 64 usage error.
/// Stated once here, so that each command's help, its code and README say the same.
enum ExitStatus {
    /// 1: the command could not do its work (a server that does not answer, a datagram that does not decode, an
    /// input file that cannot be read, a bind that kept failing).
    static let runtimeFailure = ExitCode(1)
    /// 2: a configuration file (or decode's USM users file) cannot be read or is invalid.
    static let configurationError = ExitCode(2)
    /// 64 (EX_USAGE): argument-parser's own status for an unknown option, a missing argument or a ValidationError.
    static let usageError = ExitCode.validationFailure

    /// The sentence a command's discussion ends with: what 0, 1 and 2 mean for it (nil: it never exits so), and 64.
    static func summary(ok: String, runtimeFailure: String? = nil, configurationError: String? = nil) -> String {
        var parts = ["0 \(ok)"]
        if let runtimeFailure { parts.append("1 \(runtimeFailure)") }
        if let configurationError { parts.append("2 \(configurationError)") }
        parts.append("64 a usage error (an unknown option, a missing or bad argument)")
        return "Exit status: " + parts.joined(separator: "; ") + "."
    }
}
