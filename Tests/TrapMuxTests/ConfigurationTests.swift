import Testing

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// Configuration files: defaults, every key, and errors that name file, line and key.
@Suite struct ConfigurationTests {
    private func parse(_ text: String) throws(ConfigurationError) -> TrapMuxConfiguration {
        try TrapMuxConfiguration.parse(text, file: "test.toml")
    }

    @Test func anEmptyFileGivesTheDefaults() throws {
        #expect(try parse("") == TrapMuxConfiguration())
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try parse(
            """
            name = "edge1"
            listen = [
              "127.0.0.1:1162",  # IPv4
              "[::1]:1162",
            ]
            receive_buffer_bytes = 1_048_576
            communities = ["public", "ops"]
            retry_interval = "5s"
            retry_period = 60
            drain_timeout = "500ms"
            log_level = "debug"

            [subscribers]
            socket = "/tmp/x.sock"
            socket_mode = "0600"
            allowed_uids = [0, 1000]
            allowed_gids = [4]
            max_subscribers = 3
            default_queue = 10
            max_queue = 20
            overflow_policy = "drop-newest"
            memory_budget_bytes = 1048576
            """)
        #expect(configuration.name == "edge1")
        #expect(configuration.listen == [HostPort(host: "127.0.0.1", port: 1162), HostPort(host: "::1", port: 1162)])
        #expect(configuration.receiveBufferBytes == 1_048_576)
        #expect(configuration.communities == ["public", "ops"])
        #expect(configuration.retryInterval == .seconds(5))
        #expect(configuration.retryPeriod == .seconds(60))
        #expect(configuration.drainTimeout == .milliseconds(500))
        #expect(configuration.logLevel == .debug)
        #expect(configuration.subscribers.socket == "/tmp/x.sock")
        #expect(configuration.subscribers.socketMode == 0o600)
        #expect(configuration.subscribers.allowedUIDs == [0, 1000])
        #expect(configuration.subscribers.allowedGIDs == [4])
        #expect(configuration.subscribers.maxSubscribers == 3)
        #expect(configuration.subscribers.defaultQueue == 10)
        #expect(configuration.subscribers.maxQueue == 20)
        #expect(configuration.subscribers.overflowPolicy == .dropNewest)
        #expect(configuration.subscribers.memoryBudgetBytes == 1_048_576)
    }

    @Test(arguments: [
        ("nmae = \"x\"", 1, "nmae"),
        ("name = 5", 1, "name"),
        ("\n\n[subscribers]\nmax_queue = \"big\"", 4, "subscribers.max_queue"),
        ("listen = [\"localhost\"]", 1, "listen"),
        ("[subscribers]\noverflow_policy = \"drop-some\"", 2, "subscribers.overflow_policy"),
        ("[subscribers]\nsocket_mode = \"0999\"", 2, "subscribers.socket_mode"),
        ("retry_interval = \"soon\"", 1, "retry_interval"),
        ("[relays]\nx = 1", 1, "[relays]"),
        ("[metrics]\nlisten = \"9162\"", 2, "metrics.listen"),
        ("[metrics]\nport = 9162", 2, "metrics.port"),
        ("watchdog = \"50ms\"", 1, "watchdog"),
    ])
    func badKeysAreReportedWithTheirLine(text: String, line: Int, key: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.key == key)
            #expect(error.description.hasPrefix("test.toml:\(line): \(key): "))
        }
    }

    /// `[metrics]` is off by default and on with `listen`; `watchdog` is 10 s by default and 0 turns it off.
    @Test func metricsAndWatchdog() throws {
        #expect(TrapMuxConfiguration().metrics.listen == nil)
        #expect(TrapMuxConfiguration().watchdog == .seconds(10))
        let on = try parse("watchdog = \"2s\"\n[metrics]\nlisten = \"127.0.0.1:9162\"\n")
        #expect(on.metrics.listen == HostPort(host: "127.0.0.1", port: 9162))
        #expect(on.watchdog == .seconds(2))
        #expect(try parse("watchdog = 0\nmetrics.listen = \"[::1]:9162\"").watchdog == .zero)
        #expect(on.restartOnlyChanges(comparedTo: TrapMuxConfiguration()).contains("metrics.listen"))
        #expect(on.restartOnlyChanges(comparedTo: TrapMuxConfiguration()).contains("watchdog"))
    }

    @Test func syntaxErrorsNameTheLine() {
        do {
            _ = try parse("name = \"x\"\nlisten = [\"a\"\n\nport 5")
            Issue.record("accepted a broken file")
        } catch {
            #expect(error.file == "test.toml")
            #expect(error.line != nil)
        }
    }

    @Test func theShippedConfigurationsAreValid() throws {
        let root = PackagePaths.root.path
        let local = try TrapMuxConfiguration.load(file: root + "/config/trapmux.toml")
        #expect(local.listen.allSatisfy { $0.port >= 1024 })
        let docker = try TrapMuxConfiguration.load(file: root + "/config/docker.toml")
        #expect(docker.listen.map(\.port) == [162, 162])
        #expect(docker.subscribers.socket == "/run/trapmux/trapmux.sock")
    }
}
