import ArgumentParser
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux translate OID|NAME`: MIB names to numeric OIDs and back, as trapmux shows them.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate a numeric OID to its MIB name, or a name (IF-MIB::ifIndex.2, sysUpTime.0) to its OID.",
        discussion: ExitStatus.summary(ok: "translated", runtimeFailure: "no MIB names the OID, or the name is unknown"))

    @Argument(help: "A dotted OID or a MIB name.")
    var object: String

    @OptionGroup var mibs: MIBOptions

    func run() throws {
        let tree = mibs.load()
        if let numeric = OID(object) {
            guard let name = tree?.name(of: numeric) else {
                printError("trapmux translate: no MIB names \(numeric) (numeric OIDs are shown as they are)")
                throw ExitCode(1)
            }
            print(name)
        } else {
            guard let oid = tree?.oid(named: object) else {
                printError("trapmux translate: unknown name \(object)")
                throw ExitCode(1)
            }
            print(oid)
        }
    }
}
