import Foundation
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// The users file of `trapmux decode --usm-users`: a JSON list in the format of `corpus/public-v3/users.json`.
///
/// Keys per user: `user_name`, `engine_id_hex` (null or absent: the receiver's own engine), `auth_protocol` and
/// `priv_protocol` (net-snmp's names or null), `auth_passphrase`, `priv_passphrase`, optional `min_security_level`.
/// Other keys (the corpus's derived keys, notes) are ignored.
enum USMUsersFile {
    /// Why the file cannot be used; never quotes a passphrase.
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    private struct Entry: Decodable {
        let userName: String
        let engineIDHex: String?
        let authProtocol: USMAuthProtocol?
        let authPassphrase: String?
        let privProtocol: USMPrivProtocol?
        let privPassphrase: String?
        let minSecurityLevel: String?

        enum CodingKeys: String, CodingKey {
            case userName = "user_name"
            case engineIDHex = "engine_id_hex"
            case authProtocol = "auth_protocol"
            case authPassphrase = "auth_passphrase"
            case privProtocol = "priv_protocol"
            case privPassphrase = "priv_passphrase"
            case minSecurityLevel = "min_security_level"
        }
    }

    /// Reads the users in `path`.
    static func read(_ path: String) throws -> [USMUser] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "cannot read the USM users file \(path)")
        }
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw ReadError(description: "\(path): \(context.debugDescription)")
        } catch {
            throw ReadError(description: "\(path): not a JSON list of users (\(error))")
        }
        var users: [USMUser] = []
        for (index, entry) in entries.enumerated() {
            users.append(try user(entry, at: "\(path): user \(index + 1) (\(entry.userName))"))
        }
        return users
    }

    private static func user(_ entry: Entry, at place: String) throws -> USMUser {
        var engineID: [UInt8]?
        if let hex = entry.engineIDHex {
            guard let octets = HexText.octets(hex) else {
                throw ReadError(description: "\(place): engine_id_hex is not hex")
            }
            engineID = octets
        }
        var minimum: SNMPSecurityLevel?
        if let level = entry.minSecurityLevel {
            do {
                minimum = try SNMPSecurityLevel(parsing: level)
            } catch {
                throw ReadError(description: "\(place): \(error)")
            }
        }
        return USMUser(
            name: entry.userName, engineID: engineID, authProtocol: entry.authProtocol,
            authPassphrase: entry.authPassphrase.map { USMPassphrase($0) }, privProtocol: entry.privProtocol,
            privPassphrase: entry.privPassphrase.map { USMPassphrase($0) }, minimumSecurityLevel: minimum)
    }
}
