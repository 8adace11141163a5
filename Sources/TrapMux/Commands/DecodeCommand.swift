import ArgumentParser
import Foundation
import TrapDecoder

/// `trapmux decode FILE|-`: decodes one datagram and prints its operator text or JSON.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode one SNMP notification datagram (raw bytes or hex text) and print it.",
        discussion: "Exit status: 0 decoded, 1 not a valid notification, 2 the file cannot be read.")

    @Argument(help: "The datagram file, raw or hex text; '-' reads standard input.")
    var file: String

    @Flag(help: "Print one JSON object (the corpus schema plus generic_name and trap_oid).")
    var json = false

    @Option(help: "Process name used in the operator text.")
    var name = "trapmux"

    @OptionGroup var mibs: MIBOptions

    func run() throws {
        let datagram: [UInt8]
        do {
            datagram = try DatagramFile.read(file)
        } catch {
            printError("trapmux decode: \(error)")
            throw ExitCode(2)
        }
        do {
            let message = try TrapMessage(decoding: datagram)
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
        } catch {
            if json {
                var writer = JSONWriter()
                writer.beginObject()
                writer.key("error")
                writer.beginObject()
                writer.field("kind", error.kind.rawValue)
                writer.field("offset", error.offset)
                writer.field("message", error.reason)
                writer.endObject()
                writer.endObject()
                print(String(decoding: writer.bytes, as: UTF8.self))
            } else {
                printError("trapmux decode: \(file): \(error)")
            }
            throw ExitCode(1)
        }
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
