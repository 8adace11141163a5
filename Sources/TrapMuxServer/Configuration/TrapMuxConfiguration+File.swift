import Foundation
import Logging
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TOML

/// A configuration problem, located for the person who has to fix it.
package struct ConfigurationError: Error, CustomStringConvertible {
    package let file: String
    package let line: Int?
    package let key: String?
    package let message: String
    /// The errno when the file itself could not be read (an I/O failure, event 103 on reload); nil otherwise.
    package var readErrno: Int32? = nil

    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + message
    }
}

extension TrapMuxConfiguration {
    /// Reads a configuration file; every key is optional and falls back to its default.
    ///
    /// Top level: `name` (string), `listen` (array of "ip:port"), `receive_buffer_bytes` (integer),
    /// `communities` (array of strings), `trusted_forwarders` (array of CIDRs), `retry_interval`, `retry_period`, `drain_timeout` (durations such as
    /// "10m", "1h", "2s", "500ms"), `log_level` (trace|debug|info|notice|warning|error|critical), `log_format`
    /// (text|json).
    /// Tables may be written as `[table]` headers, dotted keys (`subscribers.socket = …`) or inline tables alike.
    /// `[subscribers]`: `socket` (path), `socket_mode` (octal string, "0660"), `allowed_uids`, `allowed_gids`
    /// (arrays of integers), `max_subscribers`, `default_queue`, `max_queue` (integers), `overflow_policy`
    /// ("drop-oldest"|"drop-newest"|"disconnect"), `memory_budget_bytes`, `max_unsubscribed_connections` (integers),
    /// `first_line_timeout` (duration).
    /// `[mibs]`: `enabled` (boolean), `directories` (array of paths, added to net-snmp's defaults), `modules`
    /// (array of module names, "ALL" for every module found).
    /// `[rate_limit]`: `rate` (traps per second per source), `burst` (integers).
    /// Top level too: `engine_id` (hex snmpEngineID), `state_dir` (path), `watchdog` (duration, 0 = off).
    /// `[usm]`: `[[usm.user]]` rows (see `KeyReader.usmUser`). `[metrics]`: `listen` ("ip:port" of `GET /metrics`).
    /// `[pair]`: see `PairSettings.init(_:)`.
    /// `[[relay]]` (repeatable): `name`, `target` ("host:port"), `mode` ("raw"|"v2c"|"inform"|"v3"), `community`,
    /// `filter` (table with the subscriber filter keys: inline, or `[relay.filter]` after its `[[relay]]`),
    /// `queue` (integer), `timeout` (duration), `retries` (integer).
    /// Durations are strings such as "500ms", or numbers of seconds (integers or floats: 0.5).
    /// Unknown keys, wrong types and bad values are errors naming the file, line and key.
    ///
    /// `listenOverride` (the command line's `--listen`) replaces `listen` when relay targets are checked against
    /// the server's own addresses; the caller still applies it to the result.
    package static func load(
        file path: String, listenOverride: [HostPort]? = nil
    ) throws(ConfigurationError) -> TrapMuxConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let code = access(path, R_OK) == 0 ? EIO : errno
            throw ConfigurationError(
                file: path, line: nil, key: nil, message: "cannot read the file: \(String(cString: strerror(code)))",
                readErrno: code)
        }
        return try parse(bytes: [UInt8](data), file: path, listenOverride: listenOverride)
    }

    /// Parses configuration text; `file` names it in errors, `listenOverride` as in `load(file:listenOverride:)`.
    package static func parse(
        _ text: String, file: String, listenOverride: [HostPort]? = nil
    ) throws(ConfigurationError) -> TrapMuxConfiguration {
        try parse(bytes: Array(text.utf8), file: file, listenOverride: listenOverride)
    }

    /// Parses the bytes of a configuration file (UTF-8, checked by the parser, which names the line).
    package static func parse(
        bytes: [UInt8], file: String, listenOverride: [HostPort]? = nil
    ) throws(ConfigurationError) -> TrapMuxConfiguration {
        let document: TOMLDocument
        do {
            document = try TOMLDocument(parsing: bytes)
        } catch {
            throw ConfigurationError(file: file, line: error.line, key: nil, message: error.reason)
        }
        var configuration = TrapMuxConfiguration()
        var top = KeyReader(table: document.root, file: file)
        try configuration.readTopLevel(&top, file: file)
        if var usm = try top.table("usm") {
            try configuration.readUSM(&usm)
        }
        let subscribersTable = try top.table("subscribers")
        let mibsTable = try top.table("mibs")
        let rateLimitTable = try top.table("rate_limit")
        if var metrics = try top.table("metrics") {
            configuration.metrics = try MetricsSettings(&metrics)
        }
        let relayTables = try top.tables("relay") ?? []
        let pairTable = try top.table("pair")
        try top.rejectUnknownKeys(tables: "[subscribers], [mibs], [rate_limit], [metrics], [usm], [pair] or [[relay]]")
        let ownAddresses: OwnListenAddresses
        if let listenOverride {
            ownAddresses = OwnListenAddresses(addresses: listenOverride, origin: "--listen")
        } else {
            let line = document.root["listen"]?.line
            ownAddresses = OwnListenAddresses(
                addresses: configuration.listen, origin: line.map { "listen, line \($0)" } ?? "the default listen")
        }
        for table in relayTables {
            configuration.relays.append(
                try relay(
                    table, file: file, existing: configuration.relays, ownAddresses: ownAddresses,
                    holdsPassphrases: &configuration.holdsPassphrases))
        }
        if var reader = rateLimitTable {
            configuration.rateLimit = try RateLimitSettings(&reader)
        }
        if var reader = pairTable {
            configuration.pair = try PairSettings(&reader)
        }
        if var reader = subscribersTable {
            configuration.subscribers = try SubscriberSettings(&reader)
        }
        if var reader = mibsTable {
            configuration.mibs.enabled = try reader.bool("enabled") ?? configuration.mibs.enabled
            configuration.mibs.directories = try reader.strings("directories")?.map(\.0) ?? configuration.mibs.directories
            configuration.mibs.modules = try reader.strings("modules")?.map(\.0) ?? configuration.mibs.modules
            try reader.rejectUnknownKeys()
        }
        return configuration
    }

    /// The keys of the top level (tables aside).
    private mutating func readTopLevel(_ top: inout KeyReader, file: String) throws(ConfigurationError) {
        name = try top.string("name") ?? name
        if let addresses = try top.strings("listen") {
            listen = try addresses.map { (text, line) throws(ConfigurationError) in
                guard let address = HostPort(text) else {
                    throw ConfigurationError(
                        file: file, line: line, key: "listen",
                        message: "expected \"ip:port\" such as \"0.0.0.0:162\" or \"[::]:162\", found \"\(text)\"")
                }
                return address
            }
            guard !listen.isEmpty else {
                throw top.error("listen", "expected at least one address")
            }
        }
        receiveBufferBytes = try top.integer("receive_buffer_bytes", in: 0...(1 << 30)) ?? receiveBufferBytes
        communities = try top.strings("communities")?.map(\.0) ?? []
        trustedForwarders = try top.cidrs("trusted_forwarders") ?? []
        retryInterval = try top.duration("retry_interval") ?? retryInterval
        retryPeriod = try top.duration("retry_period") ?? retryPeriod
        drainTimeout = try top.duration("drain_timeout") ?? drainTimeout
        logLevel = try top.choice("log_level", of: Logger.Level.self) ?? logLevel
        logFormat = try top.choice("log_format", of: LogFormat.self) ?? logFormat
        engineID = try top.engineID("engine_id")
        stateDirectory = try top.string("state_dir") ?? stateDirectory
        if let limit = try top.duration("watchdog") {
            // Below 100 ms a busy but healthy loop (a long receive batch, a reload) would pass for a stalled one.
            guard limit == .zero || limit >= .milliseconds(100) else {
                throw top.error("watchdog", "expected 0 (off) or a duration of at least 100ms such as \"10s\"")
            }
            watchdog = limit
        }
    }

    /// `[usm]` and its `[[usm.user]]` rows.
    private mutating func readUSM(_ usm: inout KeyReader) throws(ConfigurationError) {
        for var reader in try usm.tables("user") ?? [] {
            let user = try reader.usmUser(holdsPassphrases: &holdsPassphrases)
            // Looked up by (engine, name): the same name may exist once per engine.
            if self.usm.users.contains(where: { $0.name == user.name && $0.engineID == user.engineID }) {
                throw reader.error("name", "user \"\(user.name)\" is configured twice for the same engine")
            }
            try reader.rejectUnknownKeys()
            self.usm.users.append(user)
        }
        try usm.rejectUnknownKeys()
    }
}

extension TrapMuxConfiguration.RateLimitSettings {
    /// `[rate_limit]`: `rate` (required) and `burst` (default: the rate).
    fileprivate init(_ reader: inout KeyReader) throws(ConfigurationError) {
        let rate = try reader.integer("rate", in: 1...10_000_000)
        let burst = try reader.integer("burst", in: 1...10_000_000)
        guard let rate else { throw reader.error("rate", "expected rate = traps per second per source") }
        self.init(rate: rate, burst: burst ?? max(1, rate))
        try reader.rejectUnknownKeys()
    }
}

extension TrapMuxConfiguration.MetricsSettings {
    /// `[metrics]`: `listen` ("ip:port"); without it there is no endpoint.
    fileprivate init(_ reader: inout KeyReader) throws(ConfigurationError) {
        self.init()
        if let text = try reader.string("listen") {
            guard let address = HostPort(text) else {
                throw reader.error(
                    "listen", "expected \"ip:port\" such as \"127.0.0.1:9162\" or \"[::1]:9162\", found \"\(text)\"")
            }
            listen = address
        }
        try reader.rejectUnknownKeys()
    }
}

extension TrapMuxConfiguration.SubscriberSettings {
    /// `[subscribers]`; omitted keys keep their defaults.
    fileprivate init(_ reader: inout KeyReader) throws(ConfigurationError) {
        self.init()
        socket = try reader.string("socket") ?? socket
        if let mode = try reader.string("socket_mode") {
            guard let bits = UInt32(mode, radix: 8), bits <= 0o777 else {
                throw reader.error("socket_mode", "expected an octal mode string such as \"0660\", found \"\(mode)\"")
            }
            socketMode = bits
        }
        allowedUIDs = try reader.ids("allowed_uids") ?? []
        allowedGIDs = try reader.ids("allowed_gids") ?? []
        maxSubscribers = try reader.integer("max_subscribers", in: 1...10_000) ?? maxSubscribers
        defaultQueue = try reader.integer("default_queue", in: 1...10_000_000) ?? defaultQueue
        maxQueue = try reader.integer("max_queue", in: 1...10_000_000) ?? maxQueue
        overflowPolicy = try reader.choice("overflow_policy", of: OverflowPolicy.self) ?? overflowPolicy
        memoryBudgetBytes = try reader.integer("memory_budget_bytes", in: 65_536...(1 << 40)) ?? memoryBudgetBytes
        maxUnsubscribedConnections =
            try reader.integer("max_unsubscribed_connections", in: 1...10_000) ?? maxUnsubscribedConnections
        firstLineTimeout = try reader.duration("first_line_timeout") ?? firstLineTimeout
        guard defaultQueue <= maxQueue else {
            throw reader.error("default_queue", "must not exceed max_queue (\(maxQueue))")
        }
        try reader.rejectUnknownKeys()
    }
}

extension TrapMuxConfiguration {
    /// The addresses the server will listen on, and where they were set, for relay targets to be checked against.
    private struct OwnListenAddresses {
        let addresses: [HostPort]
        /// "listen, line 3", "--listen" or "the default listen", for the error message.
        let origin: String
    }

    private static func relay(
        _ reader: KeyReader, file: String, existing: [RelaySettings], ownAddresses: OwnListenAddresses,
        holdsPassphrases: inout Bool
    ) throws(ConfigurationError) -> RelaySettings {
        var reader = reader
        guard let name = try reader.string("name"), !name.isEmpty else {
            throw reader.error("name", "every [[relay]] needs a name")
        }
        guard !existing.contains(where: { $0.name == name }) else {
            throw reader.error("name", "relay name \"\(name)\" is used twice")
        }
        guard let target = try reader.string("target"), let address = HostPort(target) else {
            throw reader.error("target", "expected \"host:port\" such as \"192.0.2.10:162\", \"[2001:db8::1]:162\" or \"nms.example.net:162\"")
        }
        guard !address.isWildcard else {
            throw reader.error(
                "target",
                "\"\(target)\" is a wildcard address, which receives but cannot be sent to; expected the address of "
                    + "an upstream manager such as \"192.0.2.10:162\"")
        }
        if let own = address.loopsBack(into: ownAddresses.addresses) {
            throw reader.error(
                "target",
                "\"\(target)\" is this server's own listen address \(own) (\(ownAddresses.origin)): every trap relayed "
                    + "there would come back and be relayed again without end; expected the address of an upstream "
                    + "manager (another host, or another port)")
        }
        var relay = RelaySettings(name: name, target: target)
        relay.mode = try reader.choice("mode", of: RelayMode.self) ?? relay.mode
        if relay.mode == .v3 {
            relay.v3User = try reader.usmUser(nameKey: "user", withMinimumLevel: false, holdsPassphrases: &holdsPassphrases)
        }
        relay.community = try reader.string("community") ?? relay.community
        relay.filter = try reader.filter("filter") ?? relay.filter
        relay.queue = try reader.integer("queue", in: 1...10_000_000) ?? relay.queue
        relay.timeout = try reader.duration("timeout") ?? relay.timeout
        relay.retries = try reader.integer("retries", in: 0...100) ?? relay.retries
        try reader.rejectUnknownKeys()
        return relay
    }
}

/// Reads typed keys from one table and remembers which were used, so the rest can be rejected.
///
/// Tables are found by key, so `[subscribers]`, `subscribers.socket = …` at the top and
/// `subscribers = { socket = … }` read the same; nested keys are named by their dotted path in errors
/// (`relay.filter.generic`), with the line each key was written on.
package struct KeyReader {
    package let table: TOMLTable
    package let file: String
    /// The table's dotted name: "" for the top level, "subscribers", "relay", "relay.filter".
    package let path: String
    package var used: Set<String> = []

    package init(table: TOMLTable, file: String, path: String = "") {
        self.table = table
        self.file = file
        self.path = path
    }

    private func qualified(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// An error about `key`, on its line (or the table's, when the key is missing).
    package func error(_ key: String, _ message: String) -> ConfigurationError {
        ConfigurationError(
            file: file, line: table[key]?.line ?? (table.line > 0 ? table.line : nil), key: qualified(key),
            message: message)
    }

    private mutating func entry(_ key: String) -> TOMLEntry? {
        used.insert(key)
        return table[key]
    }

    private func typeError(_ key: String, expected: String, found: TOMLValue) -> ConfigurationError {
        error(key, "expected \(expected), found \(found.typeName)")
    }

    /// A table, however it was written; a reader for its keys.
    package mutating func table(_ key: String) throws(ConfigurationError) -> KeyReader? {
        guard let entry = entry(key) else { return nil }
        guard case .table(let table) = entry.value else {
            throw typeError(key, expected: "a table such as [\(qualified(key))]", found: entry.value)
        }
        return KeyReader(table: table, file: file, path: qualified(key))
    }

    /// An array of tables (`[[key]]`, or an array of inline tables); a reader for each.
    package mutating func tables(_ key: String) throws(ConfigurationError) -> [KeyReader]? {
        guard let entry = entry(key) else { return nil }
        let expected = "an array of tables such as [[\(qualified(key))]]"
        guard case .array(let items) = entry.value else { throw typeError(key, expected: expected, found: entry.value) }
        var readers: [KeyReader] = []
        for item in items {
            guard case .table(let table) = item else { throw typeError(key, expected: expected, found: item) }
            readers.append(KeyReader(table: table, file: file, path: qualified(key)))
        }
        return readers
    }

    /// A subscriber filter (SPEC §6) written as a table; a bad filter key is named with its own line.
    package mutating func filter(_ key: String) throws(ConfigurationError) -> SubscriptionFilter? {
        guard let filter = try table(key) else { return nil }
        do {
            return try SubscriptionFilter.parse(.object(Self.json(filter.table)))
        } catch {
            // Each key is read on its own: find the one that fails, for its name and line.
            for (name, entry) in filter.table.orderedEntries {
                do {
                    _ = try SubscriptionFilter.parse(.object([(name, Self.json(entry.value))]))
                } catch {
                    let prefix = name + ": "
                    let message = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
                    throw filter.error(name, message)
                }
            }
            throw self.error(key, error.message)
        }
    }

    /// A table as the values the filter parser reads: the form the subscriber protocol's JSON takes.
    private static func json(_ table: TOMLTable) -> [(key: String, value: JSONValue)] {
        table.orderedEntries.map { ($0.key, json($0.entry.value)) }
    }

    /// Recursion here is bounded by the document's depth limit.
    private static func json(_ value: TOMLValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .integer(let number): return .integer(Int64(number))
        case .float(let number): return .number(number)
        case .boolean(let flag): return .bool(flag)
        case .dateTime(let moment): return .string(moment.description)
        case .array(let items): return .array(items.map(json))
        case .table(let table): return .object(json(table))
        }
    }

    package mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let entry = entry(key) else { return nil }
        guard case .string(let value) = entry.value else { throw typeError(key, expected: "a string", found: entry.value) }
        return value
    }

    /// One of a closed set of names (an enum's raw values); the error lists the allowed ones.
    package mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, of type: Choice.Type
    ) throws(ConfigurationError) -> Choice? where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(key, "expected one of \(allowed), found \"\(text)\"")
        }
        return value
    }

    package mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let entry = entry(key) else { return nil }
        guard case .boolean(let value) = entry.value else {
            throw typeError(key, expected: "true or false", found: entry.value)
        }
        return value
    }

    package mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let entry = entry(key) else { return nil }
        guard case .integer(let value) = entry.value else {
            throw typeError(key, expected: "an integer", found: entry.value)
        }
        guard range.contains(value) else {
            throw error(key, "expected an integer in \(range.lowerBound)…\(range.upperBound), found \(value)")
        }
        return value
    }

    /// An array of strings, each with the line of the key.
    package mutating func strings(_ key: String) throws(ConfigurationError) -> [(String, Int)]? {
        guard let entry = entry(key) else { return nil }
        guard case .array(let items) = entry.value else {
            throw typeError(key, expected: "an array of strings", found: entry.value)
        }
        var values: [(String, Int)] = []
        for item in items {
            guard case .string(let text) = item else {
                throw typeError(key, expected: "an array of strings", found: item)
            }
            values.append((text, entry.line))
        }
        return values
    }

    package mutating func ids(_ key: String) throws(ConfigurationError) -> [UInt32]? {
        guard let entry = entry(key) else { return nil }
        guard case .array(let items) = entry.value else {
            throw typeError(key, expected: "an array of integers", found: entry.value)
        }
        var values: [UInt32] = []
        for item in items {
            guard case .integer(let number) = item, let id = UInt32(exactly: number) else {
                throw error(key, "expected an array of non-negative integer ids")
            }
            values.append(id)
        }
        return values
    }

    /// A duration: a string with a unit ("500ms", "2s", "10m", "1h"), or a number of seconds, integer or float.
    package mutating func duration(_ key: String) throws(ConfigurationError) -> Duration? {
        guard let entry = entry(key) else { return nil }
        switch entry.value {
        case .integer(let seconds) where (0...DurationText.maximumSeconds).contains(seconds):
            return .seconds(seconds)
        case .float(let seconds) where (0...Double(DurationText.maximumSeconds)).contains(seconds):
            return .seconds(seconds)
        case .integer(let seconds):
            throw error(key, "expected a duration of 0 to \(DurationText.maximumSeconds) seconds, found \(seconds)")
        case .float(let seconds):
            throw error(key, "expected a duration of 0 to \(DurationText.maximumSeconds) seconds, found \(seconds)")
        case .string(let text):
            guard let duration = DurationText.parse(text) else {
                throw error(key, "expected a duration such as \"10m\", \"1h\", \"30s\" or \"500ms\", found \"\(text)\"")
            }
            return duration
        default:
            throw typeError(
                key, expected: "a duration such as \"10m\" or a number of seconds such as 0.5", found: entry.value)
        }
    }

    /// Rejects the keys no reader asked for. At the top level `tables` lists the tables there are, for a table
    /// or array of tables that is not one of them.
    package func rejectUnknownKeys(tables: String? = nil) throws(ConfigurationError) {
        for key in table.keys where !used.contains(key) {
            if let tables, let value = table[key]?.value {
                if case .table = value {
                    throw ConfigurationError(
                        file: file, line: table[key]?.line, key: "[\(qualified(key))]",
                        message: "unknown table; expected \(tables)")
                }
                if case .array(let items) = value, !items.isEmpty,
                    items.allSatisfy({ if case .table = $0 { true } else { false } })
                {
                    throw ConfigurationError(
                        file: file, line: table[key]?.line, key: "[[\(qualified(key))]]",
                        message: "unknown array of tables; expected \(tables)")
                }
            }
            let known = used.sorted().joined(separator: ", ")
            throw error(key, "unknown key; expected one of: \(known)")
        }
    }
}

/// Durations written as text in the configuration: a number and a unit (ms, s, m, h).
package enum DurationText {
    /// The longest duration the configuration takes, in seconds (about 31,700 years): far beyond any timer, and
    /// small enough that no conversion overflows.
    package static let maximumSeconds = 1_000_000_000_000

    /// Parses "500ms", "30s", "10m" or "1h" up to `maximumSeconds`; nil for anything else.
    package static func parse(_ text: String) -> Duration? {
        // "ms" before "s" so that milliseconds are not read as seconds.
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (unit, milliseconds) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            guard let value = Int64(number), value >= 0, value <= Int64(maximumSeconds) * 1000 / milliseconds else {
                return nil
            }
            return .milliseconds(value * milliseconds)
        }
        return nil
    }
}
