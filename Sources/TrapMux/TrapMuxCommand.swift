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
        discussion: """
            trapmux serve receives SNMPv1, v2c and v3 notifications on UDP (162 by default), decodes and classifies \
            them, and hands each to every subscriber of its Unix socket (trapmux tail is one) and to the upstream \
            managers it relays to, while reporting its own health as process events 101-106 (trapmux explain N).

            Files: /etc/trapmux/trapmux.toml (the configuration; trapmux check-config validates it), \
            /run/trapmux/trapmux.sock (the subscriber socket), /var/lib/trapmux (snmpEngineBoots), \
            /usr/share/trapmux/mibs (MIB text). Environment: TRAPMUX_SOCKET (the socket tail and stats use), \
            NOTIFY_SOCKET and WATCHDOG_USEC (set by systemd for a Type=notify service).

            """
            + ExitStatus.summary(
                ok: "ok", runtimeFailure: "a runtime failure", configurationError: "a configuration error"),
        version: buildVersion,
        subcommands: [
            ServeCommand.self, TailCommand.self, SendCommand.self, StatsCommand.self, DecodeCommand.self,
            ExplainCommand.self, CheckConfigCommand.self, TranslateCommand.self, PairCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
