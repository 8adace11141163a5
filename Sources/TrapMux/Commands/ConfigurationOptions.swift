import ArgumentParser
import Foundation
import TrapMuxServer
import TrapDecoder
import TrapEvents
import TOML

/// The options that choose a configuration file and override its common keys (SPEC §9).
struct ConfigurationOptions: ParsableArguments {
    /// Where the configuration is read from when `--config` is not given.
    static let defaultPath = "/etc/trapmux/trapmux.toml"

    @Option(help: "Configuration file (TOML). Default: \(defaultPath) if it exists, else built-in defaults.")
    var config: String?

    @Option(help: "UDP address to listen on, e.g. 0.0.0.0:162 or [::]:162 (repeatable; replaces the file's list).")
    var listen: [String] = []

    @Option(help: "Path of the subscriber Unix socket (overrides subscribers.socket).")
    var socket: String?

    @Option(help: "Process name shown in every event (overrides name).")
    var name: String?

    func validate() throws {
        for address in listen where HostPort(address) == nil {
            throw ValidationError("--listen \(address): expected ip:port such as 127.0.0.1:1162 or [::1]:1162")
        }
    }

    /// The configuration: the file (or defaults) with the command-line overrides applied.
    func load() throws(ConfigurationError) -> TrapMuxConfiguration {
        try source.load()
    }

    /// The file and overrides these options name; `serve` keeps it to read the file again on SIGHUP.
    var source: ConfigurationSource {
        let file = config ?? (FileManager.default.fileExists(atPath: Self.defaultPath) ? Self.defaultPath : nil)
        return ConfigurationSource(file: file, listen: listen.compactMap(HostPort.init), socket: socket, name: name)
    }
}

extension ConfigurationOptions {
    /// The socket `tail` and `stats` connect to without `--socket`: $TRAPMUX_SOCKET, else the system
    /// socket, else the one the shipped local configuration makes (`run/trapmux.sock` in this folder).
    static var defaultSocket: String {
        if let path = ProcessInfo.processInfo.environment["TRAPMUX_SOCKET"], !path.isEmpty { return path }
        let system = TrapMuxConfiguration.SubscriberSettings().socket
        if !FileManager.default.fileExists(atPath: system) && FileManager.default.fileExists(atPath: "run/trapmux.sock") {
            return "run/trapmux.sock"
        }
        return system
    }
}
