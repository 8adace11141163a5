import TrapDecoder
import TrapEvents

/// The subscriber wire protocol (SPEC §6), all of it in this file.
///
/// Transport: a Unix stream socket; newline-delimited JSON in UTF-8, one object per line, lines at most 64 KiB.
///
/// Requests (client → trapmux):
/// - `{"subscribe": {"name": "nms", "format": "json"|"text", "process_events": true, "queue": 10000,
///   "filter": {"generic": [2, "linkUp"], "enterprise": ["1.3.6.1.4.1.9"], "trap_oid": ["1.3.6.1.6.3.1.1.5"],
///   "source": ["192.0.2.0/24", "2001:db8::/32"], "community": ["public"], "version": ["1", "2c", "3"],
///   "user": ["nms-v3"], "security_level": ["authPriv"]}}}`
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
package enum SubscriberProtocol {
    /// The longest request line accepted.
    package static let maximumLineLength = 64 * 1024

    /// A parsed request.
    package enum Request: Equatable {
        case subscribe(Subscription)
        case stats
        case ping
    }

    /// What a client asked for in `subscribe`.
    package struct Subscription: Equatable {
        package var name = ""
        package var format = EventFormat.json
        package var processEvents = true
        package var queue: Int?
        package var filter = SubscriptionFilter()
    }

    /// A request the server cannot accept.
    package struct RequestError: Error, Equatable {
        package let code: String
        package let message: String
    }

    /// Parses one request line (without its newline).
    package static func parse(_ line: [UInt8]) throws(RequestError) -> Request {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw RequestError(code: "bad_json", message: "expected one JSON object per line: \(error)")
        }
        guard case .object(let members) = value else {
            throw RequestError(code: "bad_json", message: "expected one JSON object per line, found \(value.typeName)")
        }
        guard members.count == 1, let (verb, body) = members.first else {
            throw RequestError(code: "unknown_request", message: "expected exactly one of subscribe, stats, ping")
        }
        switch verb {
        case "subscribe":
            guard case .object(let fields) = body else {
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

    private static func subscription(_ fields: [(key: String, value: JSONValue)]) throws(RequestError) -> Subscription {
        var subscription = Subscription()
        for (key, value) in fields {
            switch (key, value) {
            case ("name", .string(let name)) where name.utf8.count <= 256:
                subscription.name = name
            case ("name", _):
                throw RequestError(code: "bad_subscribe", message: "name must be a string of at most 256 bytes")
            case ("format", .string(let text)) where EventFormat(rawValue: text) != nil:
                subscription.format = EventFormat(rawValue: text)!
            case ("format", _):
                throw RequestError(code: "bad_subscribe", message: "format must be \"json\" or \"text\"")
            case ("process_events", .bool(let flag)):
                subscription.processEvents = flag
            case ("process_events", _):
                throw RequestError(code: "bad_subscribe", message: "process_events must be true or false")
            case ("queue", .integer(let number)) where number > 0:
                subscription.queue = Int(clamping: number)
            case ("queue", _):
                throw RequestError(code: "bad_subscribe", message: "queue must be a positive integer")
            case ("filter", .object(let filter)):
                subscription.filter = try parseFilter(filter)
            case ("filter", _):
                throw RequestError(code: "bad_filter", message: "filter must be an object")
            default:
                throw RequestError(
                    code: "bad_subscribe",
                    message: "unknown key '\(key)'; expected name, format, process_events, queue, filter")
            }
        }
        return subscription
    }

    /// Parses a filter object (also used for relay filters in the configuration). Each key takes one value or a
    /// list of them; numbers only where a number is meant (`generic`), never booleans or fractions.
    package static func parseFilter(_ fields: [(key: String, value: JSONValue)]) throws(RequestError) -> SubscriptionFilter {
        var filter = SubscriptionFilter()
        for (key, value) in fields {
            let items: [JSONValue]
            if case .array(let list) = value { items = list } else { items = [value] }
            switch key {
            case "generic":
                for item in items {
                    let generic: GenericTrap?
                    switch item {
                    case .integer(let number): generic = GenericTrap(nameOrNumber: String(number))
                    case .string(let text): generic = GenericTrap(nameOrNumber: text)
                    default: generic = nil
                    }
                    guard let generic else {
                        throw RequestError(
                            code: "bad_filter", message: "generic: expected 0–6 or a generic trap name, found \(describe(item))")
                    }
                    filter.generic.insert(generic)
                }
            case "enterprise", "trap_oid":
                for item in items {
                    guard case .string(let text) = item, let oid = OID(text) else {
                        throw RequestError(code: "bad_filter", message: "\(key): expected dotted OIDs such as \"1.3.6.1.4.1.9\"")
                    }
                    if key == "enterprise" { filter.enterprise.append(oid) } else { filter.trapOID.append(oid) }
                }
            case "source":
                for item in items {
                    guard case .string(let text) = item, let cidr = CIDR(text) else {
                        throw RequestError(code: "bad_filter", message: "source: expected CIDRs such as \"192.0.2.0/24\"")
                    }
                    filter.source.append(cidr)
                }
            case "community":
                for item in items {
                    guard case .string(let text) = item else {
                        throw RequestError(code: "bad_filter", message: "community: expected strings")
                    }
                    filter.community.append(Array(text.utf8))
                }
            case "version":
                for item in items {
                    guard case .string(let text) = item, let version = filterVersions[text] else {
                        throw RequestError(
                            code: "bad_filter", message: "version: expected \"1\", \"2c\" or \"3\", found \(describe(item))")
                    }
                    filter.version.insert(version)
                }
            case "user":
                for item in items {
                    guard case .string(let text) = item else {
                        throw RequestError(code: "bad_filter", message: "user: expected SNMPv3 user names")
                    }
                    filter.user.append(Array(text.utf8))
                }
            case "security_level":
                for item in items {
                    guard case .string(let text) = item, let level = SNMPSecurityLevel(rawValue: text) else {
                        throw RequestError(
                            code: "bad_filter",
                            message: "security_level: expected noAuthNoPriv, authNoPriv or authPriv, found \(describe(item))")
                    }
                    filter.securityLevel.insert(level)
                }
            default:
                throw RequestError(
                    code: "bad_filter",
                    message: "unknown filter key '\(key)'; expected generic, enterprise, trap_oid, source, community, "
                        + "version, user, security_level")
            }
        }
        return filter
    }

    /// The version names a filter accepts.
    private static let filterVersions: [String: SNMPVersion] = [
        "1": .v1, "v1": .v1, "2c": .v2c, "v2c": .v2c, "3": .v3, "v3": .v3,
    ]

    /// A value as it appears in an error message.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"\(text)\""
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .bool(let flag): return String(flag)
        default: return value.typeName
        }
    }

    // MARK: Answers

    package static func subscribed(id: Int, queue: Int) -> [UInt8] {
        line { writer in
            writer.key("subscribed")
            writer.beginObject()
            writer.field("id", id)
            writer.field("queue", queue)
            writer.endObject()
        }
    }

    package static func pong(seq: UInt64) -> [UInt8] {
        line { writer in
            writer.key("pong")
            writer.beginObject()
            writer.field("seq", seq)
            writer.endObject()
        }
    }

    package static func error(_ error: RequestError) -> [UInt8] {
        line { writer in
            writer.key("error")
            writer.beginObject()
            writer.field("code", error.code)
            writer.field("message", error.message)
            writer.endObject()
        }
    }

    package static func dropped(_ drop: SubscriberQueue.DropRange) -> [UInt8] {
        line { writer in
            writer.field("type", "dropped")
            writer.field("count", drop.count)
            writer.field("first_seq", drop.firstSeq)
            writer.field("last_seq", drop.lastSeq)
        }
    }

    /// One JSON object line whose members `body` writes.
    package static func line(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        body(&writer)
        writer.endObject()
        return writer.line()
    }
}
