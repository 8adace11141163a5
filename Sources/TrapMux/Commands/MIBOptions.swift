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

    /// Loads the tree quietly unless names are switched off: a missing MIB folder and a file with errors in a
    /// `--mib-dir` folder are warned about. Files with errors among the standard MIBs are `serve`'s to report (once,
    /// at its start), not every one-shot command's.
    func load() -> MIBTree? {
        var settings = TrapMuxConfiguration.MIBSettings()
        settings.enabled = !noMIBs
        settings.directories += mibDirectories
        let given = mibDirectories.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        return settings.loadTree(logger: .trapmux(level: .warning)) { file in
            given.contains { file.hasPrefix($0) } ? .warning : .debug
        }
    }
}
