import Foundation

/// Reads one datagram for `trapmux decode` and `trapmux send --file`: raw bytes, or hex text.
enum DatagramFile {
    /// Why a datagram file could not be read.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads `path` (`-` for standard input). Text made only of hex digits and whitespace is taken as hex.
    static func read(_ path: String) throws -> [UInt8] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                let why = !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "permission denied"
                throw ReadError(description: "cannot read \(path): \(why)")
            }
            data = contents
        }
        let bytes = [UInt8](data)
        return hexDecoded(bytes) ?? bytes
    }

    /// The octets spelled by hex text (whitespace between digits allowed); nil if `text` is not hex.
    static func hexDecoded(_ text: [UInt8]) -> [UInt8]? {
        var octets: [UInt8] = []
        octets.reserveCapacity(text.count / 2)
        var high: UInt8?
        for character in text {
            if character == 0x20 || character == 0x0A || character == 0x0D || character == 0x09 { continue }
            guard let nibble = nibble(character) else { return nil }
            if let h = high {
                octets.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil, !octets.isEmpty else { return nil }
        return octets
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
