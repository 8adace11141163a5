import ArgumentParser
import Foundation
import Testing

@testable import TrapMux

/// SPEC §10: 0 ok, 1 runtime failure, 2 configuration error, 64 usage error, the same in every command's help.
@Suite("exit statuses and version")
struct ExitStatusTests {
    /// One usage error per command: an unknown option, a missing argument, or a value its validation refuses.
    @Test(arguments: [
        ["--no-such-option"],
        ["serve", "--listen", "not-an-address"],
        ["serve", "--log-format", "xml"],
        ["tail", "--count", "0"],
        ["send"],
        ["send", "--to", "127.0.0.1:1162", "--generic", "linkSideways"],
        ["stats", "--timeout", "soon"],
        ["decode"],
        ["decode", "--engine-id", "80001f8804", "x.bin"],
        ["explain", "99"],
        ["check-config"],
        ["check-config", "--toml-json", "extra.toml"],
        ["translate"],
    ])
    func aUsageErrorExits64WithItsReasonOnStandardError(_ arguments: [String]) async throws {
        let result = try await TrapMuxBinary.run(arguments)
        #expect(result.exited(64), "\(result)")
        #expect(result.stderr.contains("Error: "), "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
    }

    @Test func aConfigurationErrorExitsTwoAndARuntimeFailureOne() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let bad = try folder.file("bad.toml", Array("listen = 7\n".utf8))
        #expect(try await TrapMuxBinary.run(["check-config", bad.path]).exited(2))
        #expect(try await TrapMuxBinary.run(["serve", "--config", bad.path]).exited(2))
        let missing = folder.url.appendingPathComponent("missing.sock").path
        #expect(try await TrapMuxBinary.run(["stats", "--socket", missing]).exited(1))
        #expect(try await TrapMuxBinary.run(["decode", "--no-mibs", folder.url.appendingPathComponent("none").path]).exited(1))
    }

    /// Every command's help ends with the statuses it uses, in the words of `ExitStatus.summary`.
    @Test func everyCommandsHelpStatesItsExitStatuses() {
        let commands: [any ParsableCommand.Type] = [TrapMuxCommand.self] + TrapMuxCommand.configuration.subcommands
        for command in commands {
            let discussion = command.configuration.discussion
            #expect(discussion.contains("Exit status: 0 "), "\(command)")
            #expect(discussion.hasSuffix("64 a usage error (an unknown option, a missing or bad argument)."), "\(command)")
        }
    }

    /// `--version` is the build's (git describe, or 0.0.0-unknown without a repository), never a fixed number.
    @Test func versionComesFromTheBuild() async throws {
        let result = try await TrapMuxBinary.run(["--version"])
        #expect(result.exited(0), "\(result)")
        #expect(result.stdout == buildVersion + "\n")
        let script = PackagePaths.root.appendingPathComponent("scripts/build-version")
        let now = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), [script.path, PackagePaths.root.path])
        // The tree may have been edited since the build: only "-dirty" may differ.
        #expect(Self.clean(now.stdout) == Self.clean(result.stdout), "\(now)")
    }

    /// Built from a folder that is no git repository (a tarball), the version says that it is unknown.
    @Test func aTreeWithoutGitIsVersionUnknown() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let script = PackagePaths.root.appendingPathComponent("scripts/build-version")
        let output = folder.url.appendingPathComponent("out")
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), [script.path, folder.url.path, output.path],
            environment: ["TRAPMUX_VERSION": ""])
        #expect(result.exited(0), "\(result)")
        let generated = try String(contentsOf: output.appendingPathComponent("BuildVersion.swift"), encoding: .utf8)
        #expect(generated.contains(#"let buildVersion = "0.0.0-unknown""#), "\(generated)")
    }

    private static func clean(_ version: String) -> String {
        version.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-dirty", with: "")
    }
}
