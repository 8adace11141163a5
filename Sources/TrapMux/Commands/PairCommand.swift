import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux pair`: asks a process pair's primary for its state, or for a planned switch (SPEC §14).
struct PairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair",
        abstract: "Show a process pair's state, or switch its primary and backup.",
        discussion: ExitStatus.summary(
            ok: "done", runtimeFailure: "no primary answers on the control socket, or the takeover did not complete"),
        subcommands: [PairStatusCommand.self, PairTakeoverCommand.self])
}

/// Options both `pair` subcommands take.
struct PairControlOptions: ParsableArguments {
    @Option(help: "The primary's control socket (default: $TRAPMUX_PAIR_CONTROL or [pair] control's default).")
    var control = ProcessInfo.processInfo.environment["TRAPMUX_PAIR_CONTROL"] ?? PairSettings().control

    /// Says `hello` as `role` and returns the primary's answer (a `status` text); a refusal is an error.
    func ask(_ role: PairControlProtocol.HelloRole) throws -> String {
        do throws(any Error) {
            let socket = try PairSocket.connect(to: control)
            socket.setTimeout(.seconds(5))
            try socket.send(PairControlProtocol.hello(.init(role: role, pid: getpid(), version: trapmuxVersion)))
            var (type, body, descriptors) = try socket.readFrame()
            for descriptor in descriptors { close(descriptor) }
            let text = try PairControlProtocol.readText(&body)
            guard type == .status else { throw ValidationError("the primary refused: \(text)") }
            return text
        } catch let error as PairSocketError {
            printError("trapmux pair: \(error) (is a primary running? see --control)")
            throw ExitStatus.runtimeFailure
        } catch let error as PairControlProtocol.ProtocolError {
            printError("trapmux pair: \(error)")
            throw ExitStatus.runtimeFailure
        }
    }
}

/// `trapmux pair status`.
struct PairStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print both processes' roles and pids, the last heartbeat, the checkpoint lag and the ring (JSON).",
        discussion: ExitStatus.summary(ok: "printed", runtimeFailure: "no primary answers on the control socket"))

    @OptionGroup var options: PairControlOptions

    func run() throws {
        let text = try options.ask(.status)
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        {
            print(String(decoding: pretty, as: UTF8.self))
        } else {
            print(text)
        }
    }
}

/// `trapmux pair takeover`.
struct PairTakeoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takeover",
        abstract: "Planned switch: the primary stops reading, hands over to its backup and exits (Operator-Request).",
        discussion: "For an upgrade, start a backup of the new binary, wait until `pair status` shows it, then take over. "
            + "Waits until the backup answers as the primary. "
            + ExitStatus.summary(
                ok: "the backup answers as the primary",
                runtimeFailure: "no primary answers, or the backup did not answer as the primary within --timeout"))

    @OptionGroup var options: PairControlOptions

    @Option(help: "Seconds to wait for the backup to answer as the new primary.")
    var timeout = 10.0

    func run() throws {
        let answer = try options.ask(.takeover)
        print(answer)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            usleep(20_000)
            // The old primary unbinds the control socket before it hands over; the new one binds it again.
            if let status = try? PairControlOptions.quietStatus(options.control), status.contains(#""role":"primary""#),
                !status.contains(#""pid":\#(Self.pid(in: answer, key: "primary_pid") ?? -1),"#)
            {
                print(status)
                return
            }
        }
        printError("trapmux pair takeover: the backup did not answer as the primary within \(timeout) s")
        throw ExitStatus.runtimeFailure
    }

    private static func pid(in json: String, key: String) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return object[key] as? Int
    }
}

extension PairControlOptions {
    /// The status text, or nil when nothing answers (no error printed).
    static func quietStatus(_ control: String) throws -> String? {
        guard SocketPath.isLive(control) else { return nil }
        let socket = try PairSocket.connect(to: control)
        socket.setTimeout(.seconds(2))
        try socket.send(PairControlProtocol.hello(.init(role: .status, pid: getpid(), version: trapmuxVersion)))
        var (type, body, _) = try socket.readFrame()
        guard type == .status else { return nil }
        return try PairControlProtocol.readText(&body)
    }
}
