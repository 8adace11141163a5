import ArgumentParser
import Foundation
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `trapmux decode FILE|-`: decodes one datagram and prints its operator text or JSON.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode one SNMP notification datagram (raw bytes or hex text) and print it.",
        discussion: """
            With --usm-users, an SNMPv3 message goes through the User-based Security Model (RFC 3414): authenticated, \
            checked against the time window and decrypted; a failure prints the usmStats counter it increments.
            """ + " "
            + ExitStatus.summary(
                ok: "decoded",
                runtimeFailure: "not a valid notification, refused by USM, or the datagram cannot be read",
                configurationError: "the --usm-users file cannot be read or is not valid"))

    @Argument(help: "The datagram file, raw or hex text; '-' reads standard input.")
    var file: String

    @Flag(help: "Print one JSON object (the corpus schema plus generic_name and trap_oid).")
    var json = false

    @Option(help: "Process name used in the operator text.")
    var name = "trapmux"

    @Option(
        name: .customLong("usm-users"),
        help: """
            JSON list of SNMPv3 USM users (the format of corpus/public-v3/users.json); v3 messages are then \
            verified and decrypted.
            """)
    var usmUsers: String?

    @Option(
        name: .customLong("engine-id"),
        help: """
            This receiver's own snmpEngineID in hex (informs are addressed to it); default 80001f8804 + hex of \
            "trapmux-" + host name.
            """)
    var engineID: String?

    @Option(
        name: .customLong("receiver-state"),
        help: """
            The receiver's notion of an engine's boots and time when the datagram arrives: its own \
            (authoritative) or its cache of a sender's (remote). Without it, a message to this engine is not \
            checked for timeliness and a sender's engine is new.
            """)
    var receiverState: ReceiverState?

    @OptionGroup var mibs: MIBOptions

    func validate() throws {
        if let engineID {
            guard let octets = HexText.octets(engineID), (5...32).contains(octets.count) else {
                throw ValidationError("--engine-id must be 5 to 32 octets in hex, e.g. 80001f8804747261706d7578")
            }
        }
        if usmUsers == nil, engineID != nil || receiverState != nil {
            throw ValidationError("--engine-id and --receiver-state only apply with --usm-users")
        }
        if let receiverState, receiverState.authoritative, let engineID,
            HexText.octets(engineID) != receiverState.engineID
        {
            throw ValidationError(
                "an authoritative --receiver-state is about this receiver: its engine ID must be --engine-id")
        }
    }

    func run() throws {
        let datagram: [UInt8]
        do {
            datagram = try DatagramFile.read(file)
        } catch {
            printError("trapmux decode: \(error)")
            throw ExitStatus.runtimeFailure
        }
        // With users, a datagram that reads as SNMPv3 goes through USM; anything else decodes as before.
        if let usmUsers, let envelope = try? SNMPv3Envelope(decoding: datagram[...]) {
            let processor = try makeProcessor(usersFile: usmUsers, envelope: envelope)
            try decodeUSM(datagram, processor: processor)
            return
        }
        do {
            try show(TrapMessage(decoding: datagram))
        } catch {
            try fail(kind: error.kind.rawValue, offset: error.offset, reason: error.reason, text: "\(error)")
        }
    }

    /// The users, this receiver's engine and the `--receiver-state`, as of `now` = 0.
    private func makeProcessor(usersFile: String, envelope: SNMPv3Envelope) throws -> USMProcessor {
        let localEngineID =
            engineID.flatMap(HexText.octets)
            ?? (receiverState?.authoritative == true ? receiverState?.engineID : nil)
            ?? USMLocalEngine.defaultEngineID(hostName: ProcessInfo.processInfo.hostName)
        let users: USMUserTable
        do {
            let (table, problems) = USMUserTable.building(try USMUsersFile.read(usersFile), localEngineID: localEngineID)
            // One bad user should not stop the decode of a message from another: it is named and left out.
            for problem in problems {
                printError("trapmux decode: \(usersFile): user left out: \(problem)")
            }
            users = table
        } catch {
            printError("trapmux decode: \(error)")
            throw ExitCode(2)
        }
        var localEngine = USMLocalEngine(engineID: localEngineID, boots: 0, at: 0)
        var remoteEngines = USMRemoteEngineCache()
        if let state = receiverState, state.authoritative {
            localEngine = USMLocalEngine(engineID: localEngineID, boots: state.boots, time: state.time, at: 0)
        } else if let usm = envelope.header.usm, Array(usm.engineID) == localEngineID {
            // No notion of this receiver's own clock was given: take the message's, so timeliness is not judged.
            localEngine = USMLocalEngine(engineID: localEngineID, boots: usm.engineBoots, time: usm.engineTime, at: 0)
        }
        if let state = receiverState, !state.authoritative {
            remoteEngines.set(engineID: state.engineID, boots: state.boots, time: state.time, at: 0)
        }
        return USMProcessor(users: users, localEngine: localEngine, remoteEngines: remoteEngines)
    }

    private func decodeUSM(_ datagram: [UInt8], processor: USMProcessor) throws {
        var processor = processor
        do {
            try show(processor.process(datagram[...], now: 0).message)
        } catch {
            // A malformed message keeps the decoder's own kinds (truncated, badOID, ...), as without users.
            if let decoding = error.decodingError {
                try fail(
                    kind: decoding.kind.rawValue, offset: decoding.offset, reason: decoding.reason,
                    text: "\(decoding) (\(error.kind.rawValue))")
            }
            try fail(kind: error.kind.rawValue, offset: error.offset, reason: error.reason, text: "\(error)")
        }
    }

    private func show(_ message: TrapMessage) {
        let classification = message.classify(source: nil)
        let names = mibs.load()
        if json {
            var writer = JSONWriter()
            writer.beginObject()
            TrapJSON.writeFields(of: message, classification: classification, names: names, into: &writer)
            writer.endObject()
            print(String(decoding: writer.bytes, as: UTF8.self))
        } else if let classification {
            print(message.operatorText(processName: name, classification: classification) { names?.name(of: $0) })
        } else {
            print("Encrypted SNMPv3 notification (no keys to read it): \(message.pdu.typeName)")
        }
    }

    /// Prints why the datagram was refused, as `{"error": {...}}` with --json or one line on stderr, and exits 1.
    private func fail(kind: String, offset: Int, reason: String, text: String) throws -> Never {
        if json {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("error")
            writer.beginObject()
            writer.field("kind", kind)
            writer.field("offset", offset)
            writer.field("message", reason)
            writer.endObject()
            writer.endObject()
            print(String(decoding: writer.bytes, as: UTF8.self))
        } else {
            printError("trapmux decode: \(file): \(text)")
        }
        throw ExitCode(1)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
