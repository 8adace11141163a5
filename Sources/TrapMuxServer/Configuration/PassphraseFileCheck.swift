#if canImport(Glibc)
import Glibc
#endif
import Logging
import TrapDecoder
import TrapEvents
import TOML

/// SPEC §3a: a configuration file that holds SNMPv3 passphrases should be readable by trapmux's user and group only.
package enum PassphraseFileCheck {
    /// Logs a warning when `path` is readable by others (mode o+r).
    package static func warnIfReadableByOthers(_ path: String, logger: Logger) {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o004 != 0 else { return }
        logger.warning(
            "the configuration file holds SNMPv3 passphrases and every user of this host can read it; make it unreadable for others (chmod o-r) or move the passphrases into auth_passphrase_file / priv_passphrase_file",
            metadata: ["config.file": "\(path)", "config.mode": "\(String(status.st_mode & 0o777, radix: 8))"])
    }
}
