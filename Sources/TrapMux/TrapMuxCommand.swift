import ArgumentParser
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// The `trapmux` command: an SNMP trap multiplexer and its tools.
@main
struct TrapMuxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trapmux",
        abstract: "SNMP trap multiplexer: receive, decode and classify SNMP notifications and fan them out.",
        discussion: "Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, TailCommand.self, SendCommand.self, StatsCommand.self, DecodeCommand.self,
            ExplainCommand.self, CheckConfigCommand.self, TranslateCommand.self, PairCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
