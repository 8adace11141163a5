import TOML
import ArgumentParser
import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux check-config FILE`: validates a configuration file without starting anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file (prints FILE:LINE: KEY: problem when it is not valid).",
        // FILE is optional only for the hidden --toml-json.
        usage: "trapmux check-config <file>",
        discussion: ExitStatus.summary(
            ok: "the file is valid", configurationError: "the file cannot be read or is not valid"))

    @Argument(help: "The configuration file (TOML).")
    var file: String?

    /// For the toml-test conformance files (`../shared/toml-test/check.py`): reads any TOML document on stdin and
    /// prints it as tagged JSON, exit 0, or the syntax error on stderr, exit 2. Nothing else is loaded.
    @Flag(name: .customLong("toml-json"), help: .hidden)
    var tomlJSON = false

    func validate() throws {
        if tomlJSON && file != nil {
            throw ValidationError("--toml-json reads standard input; give no FILE")
        }
        if !tomlJSON && file == nil {
            throw ValidationError("Missing expected argument '<file>'")
        }
    }

    func run() throws {
        guard let file else { return try printTaggedJSON() }
        do {
            let configuration = try TrapMuxConfiguration.load(file: file)
            print("\(file): OK")
            print("  name: \(configuration.name)")
            print("  listen: \(configuration.listen.map(\.description).joined(separator: ", "))")
            print("  subscribers.socket: \(configuration.subscribers.socket)")
        } catch {
            printError("trapmux check-config: \(error)")
            throw ExitStatus.configurationError
        }
    }

    private func printTaggedJSON() throws {
        let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        do {
            print(try TOMLDocument(parsing: input).taggedJSON)
        } catch {
            printError("trapmux check-config: <stdin>:\(error.line): \(error.reason)")
            throw ExitStatus.configurationError
        }
    }
}
