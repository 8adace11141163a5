import Foundation
import TrapDecoder
import TrapEvents
import TOML

/// Where `serve`'s configuration comes from: a file (or none) and the command-line overrides applied on top.
///
/// Kept apart from `ConfigurationOptions` so that SIGHUP can read the same file again, with the same overrides,
/// long after argument parsing is over (a plain `Sendable` value, unlike the parsed options).
package struct ConfigurationSource: Sendable, Equatable {
    /// The file read, nil when the built-in defaults are used (no `--config` and no default file).
    package var file: String?
    /// `--listen` addresses; empty = the file's list.
    package var listen: [HostPort] = []
    /// `--socket`, replacing `subscribers.socket`.
    package var socket: String?
    /// `--name`, replacing `name`.
    package var name: String?

    /// The file (nil: built-in defaults) and the command line's overrides.
    package init(file: String?, listen: [HostPort] = [], socket: String? = nil, name: String? = nil) {
        self.file = file
        self.listen = listen
        self.socket = socket
        self.name = name
    }

    /// Reads the file (or takes the defaults) and applies the overrides.
    package func load() throws(ConfigurationError) -> TrapMuxConfiguration {
        var configuration: TrapMuxConfiguration
        // Relay targets are checked against the addresses the server will really listen on.
        let override = listen.isEmpty ? nil : listen
        if let file {
            configuration = try TrapMuxConfiguration.load(file: file, listenOverride: override)
        } else {
            configuration = TrapMuxConfiguration()
        }
        if !listen.isEmpty { configuration.listen = listen }
        if let socket { configuration.subscribers.socket = socket }
        if let name { configuration.name = name }
        return configuration
    }
}
