import ArgumentParser

/// `trapmux check-config FILE`: validates a configuration file without starting anything.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file (exit 0 valid, 2 invalid, with file:line: key: problem).")

    @Argument(help: "The configuration file (TOML).")
    var file: String

    func run() throws {
        do {
            let configuration = try TrapMuxConfiguration.load(file: file)
            print("\(file): OK")
            print("  name: \(configuration.name)")
            print("  listen: \(configuration.listen.map(\.description).joined(separator: ", "))")
            print("  subscribers.socket: \(configuration.subscribers.socket)")
        } catch {
            printError("trapmux check-config: \(error)")
            throw ExitCode(2)
        }
    }
}
