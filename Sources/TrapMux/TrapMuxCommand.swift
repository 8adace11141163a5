import ArgumentParser

/// The `trapmux` command: an SNMP trap multiplexer and its tools.
@main
struct TrapMuxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trapmux",
        abstract: "SNMP trap multiplexer: receive, decode and classify SNMP notifications and fan them out.",
        version: "0.1.0",
        subcommands: [DecodeCommand.self, ExplainCommand.self]
    )
}
