import TrapDecoder
import TrapEvents

/// What `serve` takes from its process environment rather than from its configuration file: the build's version.
package struct ServeEnvironment: Sendable {
    /// The build's version (`trapmux --version`), for `trapmux_build_info`.
    package var version: String

    /// The environment of a build of `version`.
    package init(version: String) {
        self.version = version
    }
}
