import Foundation
import Testing

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// The configuration reads the same however TOML lets it be written (headers, dotted keys, inline tables, CRLF,
/// a byte order mark), and its errors still name file, line and key.
@Suite struct ConfigurationFormTests {
    private func parse(_ text: String) throws(ConfigurationError) -> TrapMuxConfiguration {
        try TrapMuxConfiguration.parse(text, file: "test.toml")
    }

    private func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ["config/trapmux.toml", "config/docker.toml"])
    func theShippedFilesReadTheSameWithCRLFAndAByteOrderMark(path: String) throws {
        let file = PackagePaths.root.appendingPathComponent(path).path
        let original = try TrapMuxConfiguration.load(file: file)
        let text = try #require(FileManager.default.contents(atPath: file))
        let crlf = [0xEF, 0xBB, 0xBF] + Array(String(decoding: text, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(crlf.filter { $0 == 0x0D }.count > 10)
        #expect(try TrapMuxConfiguration.parse(bytes: crlf, file: path) == original)
    }

    @Test(arguments: [
        "subscribers.socket = \"/tmp/s.sock\"\nsubscribers.max_queue = 20\nsubscribers.default_queue = 20",
        "subscribers = { socket = \"/tmp/s.sock\", max_queue = 20, default_queue = 20 }",
        "[subscribers]\nsocket = \"/tmp/s.sock\"\nmax_queue = 20\ndefault_queue = 20",
        "[subscribers]\r\nsocket = '/tmp/s.sock'\r\nmax_queue = 0x14\r\ndefault_queue = 0b10100\r\n",
    ])
    func subscribersReadTheSameAsHeaderDottedKeysOrInlineTable(text: String) throws {
        var expected = TrapMuxConfiguration()
        expected.subscribers.socket = "/tmp/s.sock"
        expected.subscribers.maxQueue = 20
        expected.subscribers.defaultQueue = 20
        #expect(try parse(text) == expected)
    }

    @Test(arguments: [
        """
        [[relay]]
        name = "nms"
        target = "192.0.2.10:162"
        filter = { generic = ["linkDown", 3], source = ["10.0.0.0/8"] }
        """,
        """
        [[relay]]
        name = "nms"
        target = "192.0.2.10:162"

        [relay.filter]
        generic = ["linkDown", 3]
        source = ["10.0.0.0/8"]
        """,
        """
        [[relay]]
        name = "nms"
        target = "192.0.2.10:162"
        filter.generic = ["linkDown", 3]
        filter.source = ["10.0.0.0/8"]
        """,
        """
        relay = [
          { name = "nms", target = "192.0.2.10:162", filter = { generic = ["linkDown", 3], source = ["10.0.0.0/8"] } },
        ]
        """,
    ])
    func aRelayFilterReadsTheSameInlineOrAsASubTable(text: String) throws {
        let relays = try parse(text).relays
        #expect(relays.count == 1)
        #expect(relays.first?.name == "nms")
        #expect(relays.first?.filter.generic == [.linkDown, .linkUp])
        #expect(relays.first?.filter.source.count == 1)
    }

    @Test func theFilterOfEachRelayIsItsOwn() throws {
        let relays = try parse(
            """
            [[relay]]
            name = "a"
            target = "192.0.2.10:162"
            [relay.filter]
            generic = [2]

            [[relay]]
            name = "b"
            target = "192.0.2.11:162"
            """
        ).relays
        #expect(relays.map(\.name) == ["a", "b"])
        #expect(relays[0].filter.generic == [.linkDown])
        #expect(relays[1].filter == SubscriptionFilter())
    }

    @Test(arguments: [
        ("drain_timeout = 0.5", Duration.milliseconds(500)),
        ("drain_timeout = 2", .seconds(2)),
        ("drain_timeout = 1.5e1", .seconds(15)),
        ("drain_timeout = \"500ms\"", .milliseconds(500)),
        ("drain_timeout = \"2s\"", .seconds(2)),
        ("drain_timeout = \"10m\"", .seconds(600)),
        ("drain_timeout = \"1h\"", .seconds(3600)),
        ("drain_timeout = 0", .zero),
    ])
    func durationsAreStringsIntegersOrFloatsOfSeconds(text: String, expected: Duration) throws {
        #expect(try parse(text).drainTimeout == expected)
    }

    @Test func escapedQuotesAndMultiLineStringsReadRight() throws {
        let configuration = try parse(
            """
            communities = ["pub\\"lic", 'ops']
            name = \"\"\"
            trap\\
              mux\"\"\"
            [subscribers]
            socket = '''/tmp/a b.sock'''
            """)
        #expect(configuration.communities == ["pub\"lic", "ops"])
        #expect(configuration.name == "trapmux")
        #expect(configuration.subscribers.socket == "/tmp/a b.sock")
    }

    /// Errors name the file, the line each key was written on, and its dotted name.
    @Test(arguments: [
        ("\n\ncommunities = [\"pub\\\"lic\", 5]", 3, "communities", "expected an array of strings, found an integer"),
        ("name = \"\"\"\n\n\"\"\"\nlisten = 5", 4, "listen", "expected an array of strings"),
        ("subscribers.sockett = \"x\"", 1, "subscribers.sockett", "unknown key"),
        ("subscribers = 5", 1, "subscribers", "expected a table such as [subscribers]"),
        ("relay = { name = \"x\" }", 1, "relay", "expected an array of tables such as [[relay]]"),
        ("[[relays]]\nname = \"x\"", 1, "[[relays]]", "unknown array of tables"),
        ("[mib]\nenabled = true", 1, "[mib]", "unknown table"),
        ("mibs.enabled = \"yes\"", 1, "mibs.enabled", "expected true or false, found a string"),
        ("receive_buffer_bytes = 8.5e6", 1, "receive_buffer_bytes", "expected an integer, found a float"),
        ("drain_timeout = -1", 1, "drain_timeout", "expected a duration of 0 to"),
        ("drain_timeout = -0.5", 1, "drain_timeout", "expected a duration of 0 to"),
        ("drain_timeout = nan", 1, "drain_timeout", "expected a duration of 0 to"),
        ("drain_timeout = inf", 1, "drain_timeout", "expected a duration of 0 to"),
        ("drain_timeout = 1e300", 1, "drain_timeout", "expected a duration of 0 to"),
        ("drain_timeout = \"9223372036854775807h\"", 1, "drain_timeout", "expected a duration such as"),
        ("drain_timeout = true", 1, "drain_timeout", "expected a duration such as \"10m\" or a number of seconds"),
        ("retry_period = 1979-05-27", 1, "retry_period", "found a date"),
        (
            "[[relay]]\nname = \"a\"\ntarget = \"192.0.2.1:162\"\n\n[relay.filter]\ngeneric = [\"bogus\"]", 6,
            "relay.filter.generic", "expected 0–6 or a generic trap name, found \"bogus\""
        ),
        (
            "[[relay]]\nname = \"a\"\ntarget = \"192.0.2.1:162\"\nfilter = { version = \"1\", colour = \"red\" }", 4,
            "relay.filter.colour", "unknown filter key 'colour'"
        ),
        ("[[relay]]\nname = \"a\"\ntarget = \"192.0.2.1:162\"\nfilter.generic = 9", 4, "relay.filter.generic", "9"),
    ])
    func errorsNameFileLineAndDottedKey(text: String, line: Int, key: String, message: String) {
        let error = error(text)
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.key == key, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("test.toml:\(line): \(key): ") == true, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    /// Syntax errors have no key: `FILE:LINE: what is wrong`.
    @Test(arguments: [
        ("receive_buffer_bytes = 064", 1, "'064': leading zeros are not allowed"),
        ("name = \"x\"\ncommunities = " + String(repeating: "[", count: 70_000) + String(repeating: "]", count: 70_000),
            2, "nesting too deep"),
        ("[subscribers]\nsocket = \"x\"\n[subscribers]", 3, "table [subscribers] is already defined"),
        ("[subscribers]\nsocket = \"x\"\nsocket = \"y\"", 3, "key socket is defined twice (first on line 2)"),
        ("x = { a = 1,\n b = 2 }", 1, "an inline table must end on the line it starts"),
    ])
    func syntaxErrorsNameFileAndLine(text: String, line: Int, message: String) {
        let error = error(text)
        #expect(error?.line == line, "\(String(describing: error))")
        #expect(error?.key == nil)
        #expect(error?.description.hasPrefix("test.toml:\(line): \(message)") == true, "\(String(describing: error))")
    }

    @Test func invalidUTF8IsASyntaxErrorOnItsLine() {
        do {
            _ = try TrapMuxConfiguration.parse(bytes: Array("name = \"x\"\n# caf".utf8) + [0xE9, 0x0A], file: "test.toml")
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func checkConfigOnADeeplyNestedFileExitsTwoNamingFileAndLine() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let text = "name = \"x\"\ncommunities = " + String(repeating: "[", count: 70_000) + String(repeating: "]", count: 70_000)
        let config = try folder.file("deep.toml", Array(text.utf8))
        let result = try await TrapMuxBinary.run(["check-config", config.path], timeout: .seconds(20))
        #expect(result.exited(2), "\(result)")
        #expect(result.stderr.contains("\(config.path):2: nesting too deep"), "\(result)")
    }

    @Test func checkConfigTOMLJSONPrintsTaggedJSONOrRejects() async throws {
        let valid = try await TrapMuxBinary.run(
            ["check-config", "--toml-json"], standardInput: .bytes(Array("a.b = 0.5\r\n".utf8)))
        #expect(valid.exited(0), "\(valid)")
        #expect(valid.stdout == #"{"a":{"b":{"type":"float","value":"0.5"}}}"# + "\n")
        let invalid = try await TrapMuxBinary.run(
            ["check-config", "--toml-json"], standardInput: .bytes(Array("a = 1\nb = 064\n".utf8)))
        #expect(invalid.exited(2), "\(invalid)")
        #expect(invalid.stderr.contains("<stdin>:2: '064'"), "\(invalid)")
        let help = try await TrapMuxBinary.run(["check-config", "--help"])
        #expect(!help.stdout.contains("toml-json"))
    }
}
