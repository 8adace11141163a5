import Logging

/// Turns the `[mibs]` settings into a loaded tree, or none when names are switched off.
enum MIBLoading {
    /// Loads the MIB tree once; call before any event loop starts.
    static func load(_ settings: TrapMuxConfiguration.MIBSettings, logger: Logger) -> MIBTree? {
        guard settings.enabled else {
            logger.info("MIB names are off (mibs.enabled = false): OIDs stay numeric")
            return nil
        }
        return MIBTree(directories: settings.directories, modules: settings.modules, logger: logger)
    }
}
