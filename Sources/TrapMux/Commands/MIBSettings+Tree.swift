import Logging
import MIBLookup
import TrapMuxServer

extension TrapMuxConfiguration.MIBSettings {
    /// The `[mibs]` settings as a loaded tree, or none when names are switched off; load once, before any event
    /// loop starts. `fileErrorLevel`: the level at which a MIB file with errors is named (see `MIBTree.init`).
    func loadTree(logger: Logger, fileErrorLevel: (String) -> Logger.Level = { _ in .warning }) -> MIBTree? {
        guard enabled else {
            logger.info("MIB names are off (mibs.enabled = false): OIDs stay numeric")
            return nil
        }
        return MIBTree(directories: directories, modules: modules, logger: logger, fileErrorLevel: fileErrorLevel)
    }
}
