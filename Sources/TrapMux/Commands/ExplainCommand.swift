import ArgumentParser
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux explain N`: the cause, effect and recovery of event N.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain an event: trap events 0-6 and process events 101-106.",
        discussion: ExitStatus.summary(ok: "explained (64 for a number that is no event)"))

    @Argument(help: "The event number (0-6 or 101-106).")
    var number: Int

    func validate() throws {
        guard EventCatalogue.entry(number) != nil else {
            throw ValidationError("no event \(number): trap events are 0–6, process events 101–106")
        }
    }

    func run() throws {
        guard let entry = EventCatalogue.entry(number) else { return }
        print("\(entry.number) \(entry.title)")
        print("Cause     \(entry.cause)")
        print("Effect    \(entry.effect)")
        print("Recovery  \(entry.recovery)")
    }
}
