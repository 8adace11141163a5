import TrapDecoder
import TrapEvents

/// One request line of the subscriber protocol (SPEC §6), as clients write it (`tail`, `stats`) and the server
/// reads it: `{"subscribe": {...}}`, `{"stats": {}}` or `{"ping": {}}`.
///
/// Decoding throws `SubscriberProtocol.RequestError` with the code a client is answered with (`unknown_request`,
/// `bad_subscribe`, `bad_filter`); the server decodes with `JSONValueDecoder`, so types are strict.
package enum SubscriberRequest: Codable, Equatable, Sendable {
    case subscribe(SubscribeRequest)
    case stats
    case ping

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        guard container.allKeys.count == 1, let verb = container.allKeys.first else {
            throw SubscriberProtocol.RequestError(
                code: "unknown_request", message: "expected exactly one of subscribe, stats, ping")
        }
        switch verb.stringValue {
        case "subscribe":
            guard (try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: verb)) != nil else {
                throw SubscriberProtocol.RequestError(code: "bad_subscribe", message: "subscribe takes an object")
            }
            self = .subscribe(try container.decode(SubscribeRequest.self, forKey: verb))
        case "stats":
            self = .stats
        case "ping":
            self = .ping
        default:
            throw SubscriberProtocol.RequestError(
                code: "unknown_request", message: "unknown request '\(verb.stringValue)'; expected subscribe, stats or ping")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .subscribe(let request):
            try container.encode(request, forKey: AnyCodingKey(stringValue: "subscribe"))
        case .stats:
            _ = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(stringValue: "stats"))
        case .ping:
            _ = container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey(stringValue: "ping"))
        }
    }
}

/// The body of `subscribe`: every key optional (defaults: name "", json, process events on, the server's
/// default queue, no filter, every field, live events only).
package struct SubscribeRequest: Codable, Equatable, Sendable {
    package var name: String?
    package var format: EventFormat?
    package var processEvents: Bool?
    package var queue: Int?
    package var filter: FilterRequest?
    /// The optional parts of JSON trap events to include (`EventParts.byName`); the core is always sent.
    package var fields: [String]?
    /// Resume after this sequence number: first the retained events after it (SPEC §6).
    package var resumeAfter: UInt64?

    package init(
        name: String? = nil, format: EventFormat? = nil, processEvents: Bool? = nil, queue: Int? = nil,
        filter: FilterRequest? = nil, fields: [String]? = nil, resumeAfter: UInt64? = nil
    ) {
        self.name = name
        self.format = format
        self.processEvents = processEvents
        self.queue = queue
        self.filter = filter
        self.fields = fields
        self.resumeAfter = resumeAfter
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, format
        case processEvents = "process_events"
        case queue, filter, fields
        case resumeAfter = "resume_after"
    }

    package init(from decoder: any Decoder) throws {
        try RequestFields.rejectUnknownKeys(decoder, CodingKeys.self, code: "bad_subscribe", what: "key")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func field<T: Decodable>(_ key: CodingKeys, _ expected: String) throws -> T? {
            do {
                return try container.decodeIfPresent(T.self, forKey: key)
            } catch let error as SubscriberProtocol.RequestError {
                throw error
            } catch {
                throw SubscriberProtocol.RequestError(code: "bad_subscribe", message: "\(key.stringValue) must be \(expected)")
            }
        }
        name = try field(.name, "a string of at most 256 bytes")
        format = try field(.format, "\"json\" or \"text\"")
        processEvents = try field(.processEvents, "true or false")
        queue = try field(.queue, "a positive integer")
        fields = try field(.fields, "an array of \(EventParts.namesText)")
        resumeAfter = try field(.resumeAfter, "a sequence number (a non-negative integer)")
        if let name, name.utf8.count > 256 {
            throw SubscriberProtocol.RequestError(code: "bad_subscribe", message: "name must be a string of at most 256 bytes")
        }
        if let queue, queue <= 0 {
            throw SubscriberProtocol.RequestError(code: "bad_subscribe", message: "queue must be a positive integer")
        }
        if container.contains(.filter) {
            guard (try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .filter)) != nil else {
                throw SubscriberProtocol.RequestError(code: "bad_filter", message: "filter must be an object")
            }
            filter = try container.decode(FilterRequest.self, forKey: .filter)
        }
    }
}

/// A filter as written (SPEC §6), in a subscribe request or a relay's `filter` table: each key takes one value or a
/// list of them. `SubscriptionFilter(_:)` checks the values.
package struct FilterRequest: Codable, Equatable, Sendable {
    /// A generic trap by number (0–6) or name (`linkDown`).
    package enum Generic: Codable, Equatable, Sendable {
        case number(Int)
        case name(String)

        package init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .name(try container.decode(String.self))
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .name(let name): try container.encode(name)
            }
        }
    }

    package var generic: [Generic]?
    package var enterprise: [String]?
    package var trapOID: [String]?
    package var source: [String]?
    package var community: [String]?
    package var version: [String]?
    package var user: [String]?
    package var securityLevel: [String]?

    package init(
        generic: [Generic]? = nil, enterprise: [String]? = nil, trapOID: [String]? = nil, source: [String]? = nil,
        community: [String]? = nil, version: [String]? = nil, user: [String]? = nil, securityLevel: [String]? = nil
    ) {
        self.generic = generic
        self.enterprise = enterprise
        self.trapOID = trapOID
        self.source = source
        self.community = community
        self.version = version
        self.user = user
        self.securityLevel = securityLevel
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case generic, enterprise
        case trapOID = "trap_oid"
        case source, community, version, user
        case securityLevel = "security_level"
    }

    package init(from decoder: any Decoder) throws {
        try RequestFields.rejectUnknownKeys(decoder, CodingKeys.self, code: "bad_filter", what: "filter key")
        let container = try decoder.container(keyedBy: CodingKeys.self)
        generic = try RequestFields.oneOrMany(container, .generic, "0–6 or a generic trap name")
        enterprise = try RequestFields.oneOrMany(container, .enterprise, "dotted OIDs such as \"1.3.6.1.4.1.9\"")
        trapOID = try RequestFields.oneOrMany(container, .trapOID, "dotted OIDs such as \"1.3.6.1.6.3.1.1.5\"")
        source = try RequestFields.oneOrMany(container, .source, "CIDRs such as \"192.0.2.0/24\"")
        community = try RequestFields.oneOrMany(container, .community, "strings")
        version = try RequestFields.oneOrMany(container, .version, "\"1\", \"2c\" or \"3\"")
        user = try RequestFields.oneOrMany(container, .user, "SNMPv3 user names")
        securityLevel = try RequestFields.oneOrMany(container, .securityLevel, "noAuthNoPriv, authNoPriv or authPriv")
    }
}

/// What the request types share when they decode.
private enum RequestFields {
    /// Refuses keys the type does not know, naming the ones it does.
    static func rejectUnknownKeys<Key: CodingKey & CaseIterable>(
        _ decoder: any Decoder, _ keys: Key.Type, code: String, what: String
    ) throws {
        let present = try decoder.container(keyedBy: AnyCodingKey.self).allKeys
        for key in present where Key(stringValue: key.stringValue) == nil {
            let known = Key.allCases.map(\.stringValue).joined(separator: ", ")
            throw SubscriberProtocol.RequestError(code: code, message: "unknown \(what) '\(key.stringValue)'; expected \(known)")
        }
    }

    /// One value or a list of them.
    static func oneOrMany<T: Decodable, Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key, _ expected: String
    ) throws -> [T]? {
        guard container.contains(key) else { return nil }
        if let list = try? container.decode([T].self, forKey: key) { return list }
        if let one = try? container.decode(T.self, forKey: key) { return [one] }
        throw SubscriberProtocol.RequestError(code: "bad_filter", message: "\(key.stringValue): expected \(expected)")
    }
}
