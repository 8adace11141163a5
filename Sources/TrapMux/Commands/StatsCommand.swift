import ArgumentParser
import Foundation
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux stats`: prints the running server's counters (and serves as the container health check).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a running trapmux's counters as JSON (exit 1 if it does not answer).",
        discussion: ExitStatus.summary(ok: "the server answered", runtimeFailure: "it could not be reached or did not answer"))

    @Option(help: "Subscriber socket of the running trapmux.")
    var socket = ConfigurationOptions.defaultSocket

    @Option(help: "Seconds to wait for the answer.")
    var timeout = 5.0

    func run() throws {
        do {
            let client = try LineSocketClient(path: socket)
            client.setReadTimeout(seconds: timeout)
            try client.send(String(decoding: try JSONEncoder().encode(SubscriberRequest.stats), as: UTF8.self))
            guard let line = try client.readLine() else {
                printError("trapmux stats: the server closed the connection without answering")
                throw ExitCode(1)
            }
            let data = Data(line)
            if let object = try? JSONSerialization.jsonObject(with: data),
                let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            {
                print(String(decoding: pretty, as: UTF8.self))
            } else {
                print(String(decoding: line, as: UTF8.self))
            }
        } catch let failure as LineSocketClient.Failure {
            printError("trapmux stats: \(failure)")
            throw ExitCode(1)
        }
    }
}
