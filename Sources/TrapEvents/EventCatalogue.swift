import TrapDecoder

/// What each trapmux event means and what to do about it, in trapmux's own words (`trapmux explain N`).
package enum EventCatalogue {
    /// One catalogue entry.
    package struct Entry {
        package let number: Int
        package let title: String
        package let cause: String
        package let effect: String
        package let recovery: String
    }

    package static func entry(_ number: Int) -> Entry? {
        entries.first { $0.number == number }
    }

    package static let entries: [Entry] = [
        Entry(
            number: 0, title: "Coldstart Trap",
            cause: "An agent sent coldStart (SNMPv1 generic-trap 0, or SNMPv2 snmpTrapOID 1.3.6.1.6.3.1.1.5.1): "
                + "it has reinitialised itself and its configuration may have changed.",
            effect: "Depends on the device; often it rebooted, so counters restarted and interfaces flapped.",
            recovery: "None needed for trapmux. Check why the device restarted if it was not planned."),
        Entry(
            number: 1, title: "Warmstart Trap",
            cause: "An agent sent warmStart (generic-trap 1, snmpTraps.2): it reinitialised without changing "
                + "its configuration.",
            effect: "Depends on the device; usually a restart of its SNMP agent only.",
            recovery: "None needed for trapmux."),
        Entry(
            number: 2, title: "Link Down Trap",
            cause: "An agent sent linkDown (generic-trap 2, snmpTraps.3): one of its interfaces left the up "
                + "state. The varbinds usually carry ifIndex, ifAdminStatus and ifOperStatus.",
            effect: "Traffic over that interface stops.",
            recovery: "Look up the interface from ifIndex and check the link, the cable or the peer."),
        Entry(
            number: 3, title: "Link Up Trap",
            cause: "An agent sent linkUp (generic-trap 3, snmpTraps.4): one of its interfaces came up.",
            effect: "Traffic over that interface can flow again.",
            recovery: "None; if it alternates with linkDown, the link is flapping."),
        Entry(
            number: 4, title: "Authentication Failure Trap",
            cause: "An agent sent authenticationFailure (generic-trap 4, snmpTraps.5): it received an SNMP "
                + "request with a wrong community or failed authentication.",
            effect: "The request was refused by the device.",
            recovery: "Find who polls the device with wrong credentials (its logs name the source) and fix or "
                + "block it."),
        Entry(
            number: 5, title: "Exterior Gateway Protocol Neighbor Loss Trap",
            cause: "An agent sent egpNeighborLoss (generic-trap 5, snmpTraps.6): an EGP peer was lost.",
            effect: "Routes learnt from that neighbour are withdrawn.",
            recovery: "Check the neighbour and the path to it."),
        Entry(
            number: 6, title: "Enterprise Specific Trap",
            cause: "An agent sent a vendor-defined notification: generic-trap 6 with an enterprise and a specific "
                + "code, or an SNMPv2 snmpTrapOID outside snmpTraps.",
            effect: "Defined by the vendor's MIB for that enterprise.",
            recovery: "Look up the trap OID in the vendor's MIB (add it to mibs.directories to see names)."),
        Entry(
            number: 101, title: "Process-Terminated",
            cause: "trapmux stopped. The cause says why: Termination-request (SIGTERM or SIGINT), Process-stopped "
                + "(stop asked for over the control socket), Process-aborted (an unrecoverable fault such as bind "
                + "retries running out), Memory-Space-Exhausted, or Loop-timer-timeout (the event loop stalled).",
            effect: "No traps are received until trapmux runs again; senders do not retry traps (informs they do).",
            recovery: "For Termination-request nothing. Otherwise read the 103/104/105 events just before it, mend "
                + "the cause, and start trapmux again (a container restart policy or systemd will)."),
        Entry(
            number: 102, title: "Process-Started",
            cause: "trapmux bound every listen address and its subscriber socket accepts connections.",
            effect: "Traps are received and delivered from now on.",
            recovery: "None; informational."),
        Entry(
            number: 103, title: "Process-I/O error",
            cause: "An I/O operation failed: binding a listen address (code = errno, file = the address), the "
                + "subscriber socket path, the configuration file, or sending to a relay target.",
            effect: "The part concerned does not work. A bind or socket failure is retried every retry_interval "
                + "for retry_period, then trapmux stops with 101 Process-aborted.",
            recovery: "Read the Additional Info. EACCES on port 162: run as root or grant CAP_NET_BIND_SERVICE "
                + "(setcap cap_net_bind_service+ep). EADDRINUSE: another trap receiver (snmptrapd?) holds the "
                + "port. Socket path: make its folder exist and writable for trapmux's user."),
        Entry(
            number: 104, title: "Process-No-Memory-Space",
            cause: "The memory budget for queued events is used up, because subscribers or relay targets read "
                + "more slowly than traps arrive.",
            effect: "Events are shed (counted per subscriber, announced with dropped markers) until the queues "
                + "drain. Reported at most once per 10 s while it lasts, with counts.",
            recovery: "Find the slow consumer in `trapmux stats`; make it faster, give it a smaller queue, or "
                + "raise the memory budget."),
        Entry(
            number: 105, title: "Process-Internal-Error",
            cause: "trapmux found one of its own invariants broken: a bug.",
            effect: "trapmux carries on where it safely can; the event or connection concerned may be lost.",
            recovery: "Report it with the error detail and the log lines around it."),
        Entry(
            number: 106, title: "Process-Takeover",
            cause: "The backup of a process pair (serve --pair backup) took over from its primary. The reason says "
                + "why: Primary-Terminated (the primary stopped on SIGTERM and handed over), Primary-Aborted (its "
                + "control connection ended without a hand-over: a crash or SIGKILL), Heartbeat-Lost (it missed "
                + "`missed` heartbeats in a row, hung: the backup killed it with SIGKILL first; primary_cause "
                + "Loop-timer-timeout), or Operator-Request (trapmux pair takeover).",
            effect: "The former backup reads the same UDP sockets and subscriber socket, so datagrams queued in the "
                + "kernel are not lost; it serves the events the primary had checkpointed to subscribers that "
                + "resume (resume_after), resends unacknowledged informs and relays again. It runs without a backup "
                + "until one pairs with it.",
            recovery: "Start a new backup (serve --pair backup with the same configuration). For Primary-Aborted or "
                + "Heartbeat-Lost, read the old primary's log for why it died or hung."),
    ]
}
