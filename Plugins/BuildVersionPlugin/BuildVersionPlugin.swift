import Foundation
import PackagePlugin

/// Writes `BuildVersion.swift` (`let buildVersion = "…"`) into the target before every build, with
/// `scripts/build-version`: `$TRAPMUX_VERSION` when set, else the git describe of this package's repository, else
/// `0.0.0-unknown` (a tarball without `.git`).
///
/// A prebuild command, because only those run on every build: a build command would run again only when declared
/// input files change, and which files record a new commit differs between a clone and a worktree.
@main
struct BuildVersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        var environment: [String: String] = [:]
        // The Docker build's context has no .git: its version comes in through the environment.
        if let version = ProcessInfo.processInfo.environment["TRAPMUX_VERSION"] {
            environment["TRAPMUX_VERSION"] = version
        }
        return [
            .prebuildCommand(
                displayName: "Writing trapmux's build version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    package.appending(path: "scripts/build-version").path(percentEncoded: false),
                    package.path(percentEncoded: false),
                    output.path(percentEncoded: false),
                ],
                environment: environment,
                outputFilesDirectory: output),
        ]
    }
}
