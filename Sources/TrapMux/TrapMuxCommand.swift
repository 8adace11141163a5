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
        discussion: ExitStatus.summary(
            ok: "ok", runtimeFailure: "a runtime failure", configurationError: "a configuration error"),
        version: buildVersion,
        subcommands: [
            ServeCommand.self, TailCommand.self, SendCommand.self, StatsCommand.self, DecodeCommand.self,
            ExplainCommand.self, CheckConfigCommand.self, TranslateCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
