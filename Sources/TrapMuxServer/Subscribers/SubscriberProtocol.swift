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
///   `"resume_after": SEQ` (optional): before live events, the server sends the events after SEQ that it still
///   retains (its replay ring, `[pair] ring`; in a pair the backup keeps it from the primary's checkpoints) and that
///   match the filter, oldest first, as fast as the subscriber reads them; events after SEQ that it no longer
///   retains are announced, where they would have been, with `{"type":"dropped","count":N,"first_seq":A,"last_seq":B,
///   "reason":"not_retained"}` (N counts sequence numbers, whether or not they would have matched). A client that
///   reconnects after its own restart or a takeover sets SEQ to the last `seq` it read and misses nothing the ring
///   still holds; a SEQ beyond the server's last one (a server that restarted without a pair) resumes with live
///   events only.
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

    /// What a client asked for in `subscribe`, checked.
    package struct Subscription: Equatable {
        package var name = ""
        package var format = EventFormat.json
        package var processEvents = true
        package var queue: Int?
        package var filter = SubscriptionFilter()
        /// The optional parts of its JSON trap events.
        package var parts = EventParts.all
        /// Replay the retained events after this sequence number first.
        package var resumeAfter: UInt64?

        package init() {}

        /// The subscription a request asks for; its filter's values are checked here.
        package init(_ request: SubscribeRequest) throws(RequestError) {
            name = request.name ?? name
            format = request.format ?? format
            processEvents = request.processEvents ?? processEvents
            queue = request.queue
            resumeAfter = request.resumeAfter
            if let filter = request.filter {
                self.filter = try SubscriptionFilter(filter)
            }
            if let fields = request.fields {
                parts = []
                for field in fields {
                    guard let part = EventParts.byName[field] else {
                        throw RequestError(
                            code: "bad_subscribe", message: "fields: unknown field \"\(field)\"; expected \(EventParts.namesText)")
                    }
                    parts.insert(part)
                }
            }
        }
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
        guard case .object = value else {
            throw RequestError(code: "bad_json", message: "expected one JSON object per line, found \(value.typeName)")
        }
        switch try decode(SubscriberRequest.self, from: value, code: "unknown_request") {
        case .subscribe(let request): return .subscribe(try Subscription(request))
        case .stats: return .stats
        case .ping: return .ping
        }
    }

    /// Decodes `type` from `value`; a failure the types did not name gets `code`.
    package static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, code: String) throws(RequestError) -> T {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch let error as RequestError {
            throw error
        } catch {
            throw RequestError(code: code, message: "\(error)")
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

    /// The marker for events a resuming subscriber asked for that the replay ring no longer holds: `dropped` with
    /// `"reason":"not_retained"` before its closing brace.
    package static func notRetained(_ drop: SubscriberQueue.DropRange) -> [UInt8] {
        let marker = dropped(drop)
        // `dropped` ends in `}` and a newline.
        return Array(marker.prefix(marker.count - 2)) + Array(#","reason":"not_retained"}\#n"#.utf8)
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
