import Foundation
import Testing

@testable import TrapMux

/// The man page (argument-parser's manual plugin) and the shell completions (`--generate-completion-script`) that
/// the Docker image installs.
@Suite("man page and completions")
struct ManualAndCompletionTests {
    private static let commands = TrapMuxCommand.configuration.subcommands.compactMap { $0.configuration.commandName }

    @Test(arguments: ["bash", "zsh", "fish"])
    func eachShellGetsACompletionScriptNamingEveryCommand(_ shell: String) async throws {
        let result = try await TrapMuxBinary.run(["--generate-completion-script", shell])
        #expect(result.exited(0), "\(result)")
        for command in Self.commands {
            #expect(result.stdout.contains(command), "\(shell): \(command)")
        }
        // The script is valid for its shell where the shell is installed (bash always is).
        guard let interpreter = ExternalTool.find(shell) else { return }
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let script = try folder.file("trapmux.\(shell)", Array(result.standardOutput))
        let check = try await ChildProcess.run(interpreter, [shell == "fish" ? "--no-execute" : "-n", script.path])
        #expect(check.exited(0), "\(check)")
    }

    /// scripts/test generates it (`swift package generate-manual`) before the tests run.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Manual.path), "the man page was generated"))
    func theManPageDocumentsEveryCommandAndTheExitStatuses() throws {
        let page = try String(contentsOfFile: Manual.path, encoding: .utf8)
        #expect(page.contains(".Dt TRAPMUX 1"))
        for command in Self.commands {
            #expect(page.contains(".It Em \(command)") || page.contains("\(command)\n"), "\(command)")
        }
        #expect(page.contains("64 a usage error"))
        // generate-manual drops what is not ASCII (an en dash in "0–6" made it "06"): help text stays ASCII.
        #expect(page.contains("trap events 0-6 and process events 101-106"))
        #expect(page.contains("Loop-timer-timeout"))
    }
}
