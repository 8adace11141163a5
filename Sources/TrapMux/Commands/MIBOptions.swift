import ArgumentParser
import Logging
import TrapDecoder
import TrapEvents
import TrapMuxServer
import MIBLookup

/// Options of the commands that show MIB names without a server (`decode`, `translate`).
struct MIBOptions: ParsableArguments {
    @Flag(name: .customLong("no-mibs"), help: "Show numeric OIDs only (do not load MIBs).")
    var noMIBs = false

    @Option(name: .customLong("mib-dir"), help: "A further folder of MIB files (repeatable).")
    var mibDirectories: [String] = []

    /// Loads the tree quietly (warnings only) unless names are switched off.
    func load() -> MIBTree? {
        var settings = TrapMuxConfiguration.MIBSettings()
        settings.enabled = !noMIBs
        settings.directories += mibDirectories
        return settings.loadTree(logger: .trapmux(level: .warning))
    }
}
