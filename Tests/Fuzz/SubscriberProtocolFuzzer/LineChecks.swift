import Foundation

import TrapMuxServer

/// One request line through `SubscriberProtocol.parse`, with its invariants: the strict parser accepts only JSON
/// (Foundation's parser, which is lenient, accepts it too), a parsed value written out parses back the same, every
/// refusal has a documented code, and a request encoded the way clients encode it reads back as the same request.
enum LineChecks {
    /// The error codes SubscriberProtocol documents for a line.
    static let codes: Set<String> = ["bad_json", "unknown_request", "bad_subscribe", "bad_filter"]

    static func check(_ line: [UInt8]) {
        let value = try? JSONValue(parsing: line)
        if let value {
            roundTrips(value)
            foundationAgrees(line, value)
        }
        let request: SubscriberProtocol.Request
        do {
            request = try SubscriberProtocol.parse(line)
        } catch {
            precondition(codes.contains(error.code), "undocumented code \(error.code)")
            precondition(value != nil || error.code == "bad_json", "\(error.code) for a line that is not JSON")
            return
        }
        guard let value else { preconditionFailure("a request parsed from a line that is not JSON") }
        let decoded: SubscriberRequest
        do {
            decoded = try SubscriberProtocol.decode(SubscriberRequest.self, from: value, code: "unknown_request")
        } catch {
            preconditionFailure("parse accepted what decode refuses: \(error)")
        }
        // As `trapmux tail` and `stats` write requests.
        guard let encoded = try? JSONEncoder().encode(decoded) else { preconditionFailure("cannot encode \(decoded)") }
        let again = try? SubscriberProtocol.parse(Array(encoded))
        precondition(
            again == request, "\(String(decoding: encoded, as: UTF8.self)) reads back as \(String(describing: again))")
    }

    private static func roundTrips(_ value: JSONValue) {
        var text = ""
        JSONText.write(value, to: &text)
        let again = try? JSONValue(parsing: Array(text.utf8))
        precondition(again == value, "\(text) reads back as \(String(describing: again))")
    }

    private static func foundationAgrees(_ line: [UInt8], _ value: JSONValue) {
        let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
        precondition(object != nil, "JSONValue accepted what Foundation refuses")
        if case .object(let members) = value, let dictionary = object as? [String: Any] {
            // Keys are unique in JSONValue (a repeated key is an error), so none collapsed.
            precondition(dictionary.count == members.count, "keys \(members.map(\.key)) vs \(dictionary.keys)")
        }
    }
}
