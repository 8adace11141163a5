import Foundation
import Logging
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// Starts trapmux's SNMP engine (SPEC §3a): its snmpEngineID, snmpEngineBoots incremented in `state_dir`, and the
/// clock of snmpEngineTime from now.
package enum SNMPEngineStart {
    /// The engine for `configuration`. A boots count that cannot be stored is an I/O fault (103): the engine then
    /// runs on the count it could read plus one, and says that after a restart old messages may pass again.
    package static func start(
        _ configuration: TrapMuxConfiguration, reporter: ProcessEventReporter, logger: Logger
    ) -> USMLocalEngine {
        let engineID = configuration.effectiveEngineID
        let file = EngineBootsFile(directory: configuration.stateDirectory)
        let boots: Int32
        do {
            boots = try file.increment()
        } catch {
            boots = 1
            reporter.report(
                .ioError(
                    ProcessEvent.IOFault(
                        code: error.code, file: file.path,
                        info: "snmpEngineBoots cannot be kept (\(error.description)); running with boots 1, so after a "
                            + "restart SNMPv3 informs recorded before it could be accepted again; make state_dir "
                            + "writable for trapmux")))
        }
        logger.info(
            "SNMP engine ready",
            metadata: [
                "engine.id": "\(engineID.map { String(format: "%02x", $0) }.joined())", "engine.boots": "\(boots)",
                "usm.users": "\(configuration.usm.users.count)",
            ])
        return USMLocalEngine(engineID: engineID, boots: boots, time: 0, at: MonotonicSeconds.now())
    }

    /// The users' keys, derived and localized (milliseconds per user: at start and reload, never per trap).
    package static func userTable(_ configuration: TrapMuxConfiguration, engine: USMLocalEngine) throws(ConfigurationError)
        -> USMUserTable
    {
        do {
            return try USMUserTable(users: configuration.usm.users, localEngineID: engine.engineID)
        } catch {
            throw ConfigurationError(file: "configuration", line: nil, key: "usm.user", message: error.description)
        }
    }
}
