import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// Request lines of the subscriber protocol (SPEC §6): strict JSON, typed fields, errors with a stable code.
struct SubscriberProtocolTests {
    private func code(_ line: String) -> String? {
        do {
            _ = try SubscriberProtocol.parse(Array(line.utf8))
            return nil
        } catch {
            return error.code
        }
    }

    @Test(arguments: [
        // Booleans and fractions are not numbers of a generic trap (Foundation's bridging once let them pass).
        (#"{"subscribe": {"filter": {"generic": [true]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"generic": [2.0]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"generic": [7]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"version": ["4"]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"security_level": ["authpriv"]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"user": [7]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"version": [1]}}}"#, "bad_filter"),
        (#"{"subscribe": {"queue": true}}"#, "bad_subscribe"),
        (#"{"subscribe": {"queue": 1.5}}"#, "bad_subscribe"),
        (#"{"subscribe": {"process_events": 1}}"#, "bad_subscribe"),
        (#"{"subscribe": {"name": 5}}"#, "bad_subscribe"),
        (#"{"subscribe": {"fields": ["text", "oids"]}}"#, "bad_subscribe"),
        (#"{"subscribe": {"fields": "text"}}"#, "bad_subscribe"),
        (#"{"subscribe": {"name": "a", "name": "b"}}"#, "bad_json"),
        (#"{"subscribe": {}} x"#, "bad_json"),
        ("{\"subscribe\": {\"name\": \"tab\tinside\"}}", "bad_json"),
        (#"{"subscribe": {"name": "\ud800"}}"#, "bad_json"),
        (#"[1]"#, "bad_json"),
        (#"{"stats": {}, "ping": {}}"#, "unknown_request"),
        (#"{"shutdown": {}}"#, "unknown_request"),
    ])
    func aRequestOfTheWrongShapeIsRefusedWithItsCode(line: String, expected: String) {
        #expect(code(line) == expected, "\(line)")
    }

    @Test func aFullSubscriptionIsRead() throws {
        let line = #"{"subscribe": {"name": "nms \u00e9", "format": "text", "process_events": false, "queue": 5, "filter": {"generic": [2, "linkUp"], "version": "2c", "source": ["192.0.2.0/24"], "community": "public", "enterprise": "1.3.6.1.4.1.9", "trap_oid": ["1.3.6.1.6.3.1.1.5"]}}}"#
        guard case .subscribe(let subscription) = try SubscriberProtocol.parse(Array(line.utf8)) else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.name == "nms é")
        #expect(subscription.format == .text)
        #expect(!subscription.processEvents)
        #expect(subscription.queue == 5)
        #expect(subscription.filter.generic == [.linkDown, .linkUp])
        #expect(subscription.filter.version == [.v2c])
        #expect(subscription.filter.source.count == 1)
        #expect(subscription.filter.community == [Array("public".utf8)])
        #expect(subscription.filter.enterprise == [OID("1.3.6.1.4.1.9")!])
    }

    @Test func fieldsChooseTheOptionalPartsAndDefaultToAll() throws {
        func parts(_ body: String) throws -> EventParts? {
            guard case .subscribe(let subscription) = try SubscriberProtocol.parse(Array(#"{"subscribe": \#(body)}"#.utf8)) else {
                return nil
            }
            return subscription.parts
        }
        #expect(try parts("{}") == .all)
        #expect(try parts(#"{"fields": []}"#) == [])
        #expect(try parts(#"{"fields": ["varbinds", "names"]}"#) == [.varbinds, .names])
        #expect(try parts(#"{"fields": ["text", "v3", "text"]}"#) == [.text, .v3])
    }

    @Test(arguments: [63, 64])
    func nestingUpToTheLimitParses(depth: Int) throws {
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try JSONValue(parsing: Array(text.utf8))
    }

    @Test(arguments: [65, 20_000, 1_000_000])
    func nestingBeyondTheLimitIsAnErrorNotACrash(depth: Int) {
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test(arguments: [
        (#"{"a": -0.5e3}"#, JSONValue.object([("a", .number(-500))])),
        (#"[9223372036854775807, -9223372036854775808, 9223372036854775808]"#,
         JSONValue.array([.integer(.max), .integer(.min), .number(9223372036854775808)])),
        (#""\u00e9\ud83d\ude00\n\/""#, JSONValue.string("é😀\n/")),
        (" [ true , false , null ] ", JSONValue.array([.bool(true), .bool(false), .null])),
    ])
    func valuesParseAsRFC8259Says(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }

    @Test(arguments: ["01", "1.", ".5", "-", "+1", "1e", "tru", "\"abc", "[1,]", "{\"a\":1,}", "{a:1}", "\"\\x\"", ""])
    func invalidJSONIsRejected(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    private func parse(_ text: String) throws(SubscriberProtocol.RequestError) -> SubscriberProtocol.Request {
        try SubscriberProtocol.parse(Array(text.utf8))
    }

    @Test func subscribeWithEveryFilterKeyParses() throws {
        let request = try parse(
            #"{"subscribe": {"name": "nms", "format": "text", "process_events": false, "queue": 50, "filter": {"generic": [2, "linkUp"], "enterprise": ["1.3.6.1.4.1.9"], "trap_oid": "1.3.6.1.6.3.1.1.5", "source": ["192.0.2.0/24", "2001:db8::/32"], "community": ["public"], "version": ["1", "2c"]}}}"#)
        guard case .subscribe(let subscription) = request else {
            Issue.record("not a subscribe")
            return
        }
        #expect(subscription.name == "nms")
        #expect(subscription.format == .text)
        #expect(subscription.processEvents == false)
        #expect(subscription.queue == 50)
        #expect(subscription.filter.generic == [.linkDown, .linkUp])
        #expect(subscription.filter.enterprise.map(\.description) == ["1.3.6.1.4.1.9"])
        #expect(subscription.filter.trapOID.map(\.description) == ["1.3.6.1.6.3.1.1.5"])
        #expect(subscription.filter.source.count == 2)
        #expect(subscription.filter.version == [.v1, .v2c])
    }

    @Test(arguments: [
        ("not json", "bad_json"),
        (#"{"frobnicate": {}}"#, "unknown_request"),
        (#"{"subscribe": {"format": "xml"}}"#, "bad_subscribe"),
        (#"{"subscribe": {"filter": {"generic": ["linkSideways"]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"source": ["300.1.1.1/8"]}}}"#, "bad_filter"),
        (#"{"subscribe": {"filter": {"colour": ["red"]}}}"#, "bad_filter"),
    ])
    func malformedRequestsGetAnErrorCode(line: String, code: String) {
        #expect(throws: SubscriberProtocol.RequestError.self) { try parse(line) }
        do {
            _ = try parse(line)
        } catch {
            #expect(error.code == code)
        }
    }

    @Test func cidrsMatchTheirNetworksOnly() {
        let v4 = CIDR("192.0.2.0/24")!
        #expect(v4.contains([192, 0, 2, 77]))
        #expect(!v4.contains([192, 0, 3, 1]))
        let v6 = CIDR("2001:db8::/32")!
        #expect(v6.contains(IPAddress("2001:db8::1")!.octets))
        #expect(!v6.contains(IPAddress("2001:db9::1")!.octets))
        #expect(!v6.contains([192, 0, 2, 1]))
    }

    /// The request types are shared: what `tail` and `stats` encode is what the server decodes.
    @Test func requestsEncodedByClientsParseOnTheServer() throws {
        let filter = FilterRequest(
            generic: [.number(2), .name("linkUp")], enterprise: ["1.3.6.1.4.1.9"], source: ["192.0.2.0/24"],
            version: ["2c", "3"], user: ["nms"], securityLevel: ["authPriv"])
        let request = SubscriberRequest.subscribe(
            SubscribeRequest(name: "tail", format: .json, processEvents: false, queue: 7, filter: filter))
        let line = Array(try JSONEncoder().encode(request))
        guard case .subscribe(let subscription) = try SubscriberProtocol.parse(line) else {
            Issue.record("not a subscription")
            return
        }
        #expect(subscription.name == "tail" && subscription.queue == 7 && !subscription.processEvents)
        #expect(subscription.filter.generic == [.linkDown, .linkUp])
        #expect(subscription.filter.version == [.v2c, .v3])
        #expect(subscription.filter.securityLevel == [.authPriv])
        #expect(try SubscriberProtocol.parse(Array(try JSONEncoder().encode(SubscriberRequest.stats))) == .stats)
        #expect(try SubscriberProtocol.parse(Array(try JSONEncoder().encode(SubscriberRequest.ping))) == .ping)
    }
}
