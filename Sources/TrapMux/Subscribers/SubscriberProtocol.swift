import Foundation
import TrapDecoder

/// The subscriber wire protocol (SPEC §6), all of it in this file.
///
/// Transport: a Unix stream socket; newline-delimited JSON in UTF-8, one object per line, lines at most 64 KiB.
///
/// Requests (client → trapmux):
/// - `{"subscribe": {"name": "nms", "format": "json"|"text", "process_events": true, "queue": 10000,
///   "filter": {"generic": [2, "linkUp"], "enterprise": ["1.3.6.1.4.1.9"], "trap_oid": ["1.3.6.1.6.3.1.1.5"],
///   "source": ["192.0.2.0/24", "2001:db8::/32"], "community": ["public"], "version": ["1", "2c"]}}}`
///   All keys optional. Filter keys are ANDed; the values listed under one key are ORed. `queue` is capped at
///   the server's `max_queue`. `process_events` defaults to true.
///   Answer: `{"subscribed": {"id": N, "queue": Q}}`, then one line per event: the event JSON (SPEC §6) in
///   `json` format, the operator text in `text` format. Whatever the format, an overflow is announced with
///   `{"type":"dropped","count":N,"first_seq":A,"last_seq":B}`.
/// - `{"stats": {}}` → `{"stats": {...counters...}}`
/// - `{"ping": {}}` → `{"pong": {"seq": LAST_SEQ}}`
///
/// Errors: `{"error": {"code": CODE, "message": TEXT}}` with CODE one of `bad_json`, `unknown_request`,
/// `bad_subscribe`, `bad_filter`, `already_subscribed`, `line_too_long`, `too_many_subscribers`, `forbidden`,
/// `too_many_connections` (max_unsubscribed_connections), `first_line_timeout` (no request within
/// first_line_timeout of connecting).
/// An error answering the first line closes the connection; later errors leave it open.
///
/// Flow: requests are read only while their answers can be written; a client that does not read its answers
/// is not read either. A client may close its sending side (half-close) after its requests: it gets the
/// answers, and after `subscribe` the events, as long as it reads.
enum SubscriberProtocol {
    /// The longest request line accepted.
    static let maximumLineLength = 64 * 1024

    /// A parsed request.
    enum Request: Equatable {
        case subscribe(Subscription)
        case stats
        case ping
    }

    /// What a client asked for in `subscribe`.
    struct Subscription: Equatable {
        var name = ""
        var format = Format.json
        var processEvents = true
        var queue: Int?
        var filter = SubscriptionFilter()
    }

    /// How events are written to a subscriber.
    enum Format: String, Sendable {
        case json
        case text
    }

    /// A request the server cannot accept.
    struct RequestError: Error, Equatable {
        let code: String
        let message: String
    }

    /// Parses one request line (without its newline).
    static func parse(_ line: [UInt8]) throws(RequestError) -> Request {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw RequestError(code: "bad_json", message: "expected one JSON object per line")
        }
        guard object.count == 1, let (verb, body) = object.first else {
            throw RequestError(code: "unknown_request", message: "expected exactly one of subscribe, stats, ping")
        }
        switch verb {
        case "subscribe":
            guard let fields = body as? [String: Any] else {
                throw RequestError(code: "bad_subscribe", message: "subscribe takes an object")
            }
            return .subscribe(try subscription(fields))
        case "stats":
            return .stats
        case "ping":
            return .ping
        default:
            throw RequestError(code: "unknown_request", message: "unknown request '\(verb)'; expected subscribe, stats or ping")
        }
    }

    private static func subscription(_ fields: [String: Any]) throws(RequestError) -> Subscription {
        var subscription = Subscription()
        for (key, value) in fields {
            switch key {
            case "name":
                guard let name = value as? String, name.utf8.count <= 256 else {
                    throw RequestError(code: "bad_subscribe", message: "name must be a string of at most 256 bytes")
                }
                subscription.name = name
            case "format":
                guard let text = value as? String, let format = Format(rawValue: text) else {
                    throw RequestError(code: "bad_subscribe", message: "format must be \"json\" or \"text\"")
                }
                subscription.format = format
            case "process_events":
                guard let flag = value as? Bool else {
                    throw RequestError(code: "bad_subscribe", message: "process_events must be true or false")
                }
                subscription.processEvents = flag
            case "queue":
                guard let number = value as? Int, number > 0, !(value is Bool) else {
                    throw RequestError(code: "bad_subscribe", message: "queue must be a positive integer")
                }
                subscription.queue = number
            case "filter":
                guard let filter = value as? [String: Any] else {
                    throw RequestError(code: "bad_filter", message: "filter must be an object")
                }
                subscription.filter = try parseFilter(filter)
            default:
                throw RequestError(
                    code: "bad_subscribe",
                    message: "unknown key '\(key)'; expected name, format, process_events, queue, filter")
            }
        }
        return subscription
    }

    /// Parses a filter object (also used for relay filters in the configuration).
    static func parseFilter(_ fields: [String: Any]) throws(RequestError) -> SubscriptionFilter {
        var filter = SubscriptionFilter()
        for (key, value) in fields {
            let items: [Any] = (value as? [Any]) ?? [value]
            switch key {
            case "generic":
                for item in items {
                    let text = (item as? String) ?? (item as? Int).map(String.init) ?? ""
                    guard let generic = GenericTrap(nameOrNumber: text) else {
                        throw RequestError(code: "bad_filter", message: "generic: '\(text)' is not 0–6 or a generic trap name")
                    }
                    filter.generic.insert(generic)
                }
            case "enterprise", "trap_oid":
                for item in items {
                    guard let text = item as? String, let oid = OID(text) else {
                        throw RequestError(code: "bad_filter", message: "\(key): expected dotted OIDs such as \"1.3.6.1.4.1.9\"")
                    }
                    if key == "enterprise" { filter.enterprise.append(oid) } else { filter.trapOID.append(oid) }
                }
            case "source":
                for item in items {
                    guard let text = item as? String, let cidr = CIDR(text) else {
                        throw RequestError(code: "bad_filter", message: "source: expected CIDRs such as \"192.0.2.0/24\"")
                    }
                    filter.source.append(cidr)
                }
            case "community":
                for item in items {
                    guard let text = item as? String else {
                        throw RequestError(code: "bad_filter", message: "community: expected strings")
                    }
                    filter.community.append(Array(text.utf8))
                }
            case "version":
                for item in items {
                    let text = (item as? String) ?? (item as? Int).map(String.init) ?? ""
                    switch text {
                    case "1", "v1": filter.version.insert(.v1)
                    case "2c", "v2c", "2": filter.version.insert(.v2c)
                    case "3", "v3": filter.version.insert(.v3)
                    default:
                        throw RequestError(code: "bad_filter", message: "version: expected \"1\" or \"2c\", found '\(text)'")
                    }
                }
            default:
                throw RequestError(
                    code: "bad_filter",
                    message: "unknown filter key '\(key)'; expected generic, enterprise, trap_oid, source, community, version")
            }
        }
        return filter
    }

    // MARK: Answers

    static func subscribed(id: Int, queue: Int) -> [UInt8] {
        line { writer in
            writer.key("subscribed")
            writer.beginObject()
            writer.field("id", id)
            writer.field("queue", queue)
            writer.endObject()
        }
    }

    static func pong(seq: UInt64) -> [UInt8] {
        line { writer in
            writer.key("pong")
            writer.beginObject()
            writer.field("seq", seq)
            writer.endObject()
        }
    }

    static func error(_ error: RequestError) -> [UInt8] {
        line { writer in
            writer.key("error")
            writer.beginObject()
            writer.field("code", error.code)
            writer.field("message", error.message)
            writer.endObject()
        }
    }

    static func dropped(_ drop: SubscriberQueue.DropRange) -> [UInt8] {
        line { writer in
            writer.field("type", "dropped")
            writer.field("count", drop.count)
            writer.field("first_seq", drop.firstSeq)
            writer.field("last_seq", drop.lastSeq)
        }
    }

    /// One JSON object line whose members `body` writes.
    static func line(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        body(&writer)
        writer.endObject()
        return writer.line()
    }
}
