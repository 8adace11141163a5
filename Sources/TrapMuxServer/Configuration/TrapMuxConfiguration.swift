import Logging
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TOML

/// Everything `trapmux serve` is configured with; every field has the default documented in README.md.
package struct TrapMuxConfiguration: Sendable, Equatable {
    /// The defaults documented in README.md.
    package init() {}

    /// The process name shown in every event (`SNMP-Trap-Multiplexer NAME`).
    package var name = "trapmux"
    /// UDP addresses to receive traps on.
    package var listen: [HostPort] = [HostPort(host: "0.0.0.0", port: 162), HostPort(host: "::", port: 162)]
    /// SO_RCVBUF asked for on each listener; the kernel may grant less (net.core.rmem_max).
    package var receiveBufferBytes = 8 << 20
    /// When not empty, only traps with one of these communities are delivered; others are counted.
    package var communities: [String] = []
    /// Senders whose snmpTrapAddress.0 is believed as the agent address; from others it is the datagram's source.
    package var trustedForwarders: [CIDR] = []
    /// How often a failed bind (UDP address or subscriber socket) is retried.
    package var retryInterval: Duration = .seconds(600)
    /// How long binding is retried before trapmux gives up with 101 Process-aborted.
    package var retryPeriod: Duration = .seconds(3600)
    /// How long queued events may take to reach subscribers at shutdown.
    package var drainTimeout: Duration = .seconds(2)
    /// Minimum level of log lines on stderr.
    package var logLevel = Logger.Level.info
    /// How log lines are written (`--log-format` overrides it).
    package var logFormat = LogFormat.text
    /// The subscriber socket and its limits.
    package var subscribers = SubscriberSettings()
    /// MIB name lookup through net-snmp.
    package var mibs = MIBSettings()
    /// Upstream managers that matching traps are forwarded to.
    package var relays: [RelaySettings] = []
    /// Per-source token bucket applied before delivery and relaying; nil = unlimited.
    package var rateLimit: RateLimitSettings?
    /// This engine's snmpEngineID (SPEC §3a); nil = the default from the host name (`effectiveEngineID`).
    package var engineID: [UInt8]?
    /// Where state that outlives a restart is kept: snmpEngineBoots.
    package var stateDirectory = "/var/lib/trapmux"
    /// SNMPv3 users.
    package var usm = USMSettings()
    /// The Prometheus endpoint (SPEC §11); off unless `[metrics] listen` is set.
    package var metrics = MetricsSettings()
    /// How long the receive loop may go without running its heartbeat before trapmux reports 101
    /// Loop-timer-timeout and exits 1 so that a supervisor restarts it; zero turns the check off.
    package var watchdog: Duration = .seconds(10)
    /// The process pair: role, control socket, heartbeat and replay ring (SPEC §14, §6 resume_after).
    package var pair = PairSettings()
    /// Whether the file holds passphrases itself (not in `*_passphrase_file`s): it then should not be readable by
    /// others, and `serve` warns when it is.
    package var holdsPassphrases = false

    /// One upstream manager (SPEC §7).
    package struct RelaySettings: Sendable, Equatable {
        /// Names the target in stats and events.
        package var name: String
        /// `host:port` (IPv4, `[IPv6]` or a host name, resolved at start).
        package var target: String
        package var mode = RelayMode.v2c
        /// Community of the re-encoded traps (`v2c`, `inform`).
        package var community = "public"
        /// Which traps go to this target (the subscriber filter language).
        package var filter = SubscriptionFilter()
        /// Datagrams waiting for the target; beyond it the oldest are dropped and counted.
        package var queue = 10_000
        /// How long an inform waits for its acknowledgement before it is sent again.
        package var timeout: Duration = .seconds(1)
        /// Retransmissions of an unacknowledged inform before it counts as failed.
        package var retries = 3
        /// The upstream user of `v3` mode; its keys are localized to trapmux's own engine (the sender of a trap
        /// is authoritative), unless it names another `engine_id`.
        package var v3User: USMUser?

        /// A target with the defaults of a `[[relay]]` table that gives only `name` and `target`.
        package init(name: String, target: String) {
            self.name = name
            self.target = target
        }
    }

    /// How a relay target receives traps.
    package enum RelayMode: String, Sendable, Equatable, CaseIterable {
        /// The received datagram byte for byte.
        case raw
        /// Re-encoded as an SNMPv2c trap (RFC 3584 §3.1) with the sender in snmpTrapAddress.0.
        case v2c
        /// Like v2c, as an InformRequest retried until acknowledged.
        case inform
        /// Re-encoded as an SNMPv3 trap for `v3User` (authenticated and encrypted as that user's protocols allow),
        /// so that an encrypted trap never leaves trapmux in clear text.
        case v3
    }

    /// `[metrics]`: where `GET /metrics` is served in the Prometheus text format.
    package struct MetricsSettings: Sendable, Equatable {
        /// Off by default.
        package init() {}

        /// The TCP address of the HTTP endpoint (`127.0.0.1:9162` is the documented one); nil = no endpoint.
        package var listen: HostPort?
    }

    /// A token bucket per source address: `rate` traps per second on average, bursts of `burst`.
    package struct RateLimitSettings: Sendable, Equatable {
        package var rate: Int
        package var burst: Int
    }

    /// Which MIBs give OIDs their names (SPEC §8).
    package struct MIBSettings: Sendable, Equatable {
        /// The defaults: names on, the shipped MIB folder, every module.
        package init() {}

        /// Whether names are looked up at all; off means numeric OIDs only.
        package var enabled = true
        /// Folders searched in addition to net-snmp's defaults (`/usr/share/snmp/mibs`, …).
        package var directories = ["/usr/share/trapmux/mibs"]
        /// Modules to load; ["ALL"] loads every module found.
        package var modules = ["ALL"]
    }

    /// The Unix socket for subscribers and the limits that keep one slow subscriber from hurting others.
    package struct SubscriberSettings: Sendable, Equatable {
        /// The defaults documented in README.md.
        package init() {}

        /// Path of the Unix stream socket.
        package var socket = "/run/trapmux/trapmux.sock"
        /// Permission bits of the socket file.
        package var socketMode: UInt32 = 0o660
        /// Peer uids allowed to connect (SO_PEERCRED); empty = anyone the file mode lets in.
        package var allowedUIDs: [UInt32] = []
        /// Peer gids allowed to connect; a peer passes if its uid or gid is allowed.
        package var allowedGIDs: [UInt32] = []
        /// Connections beyond this number are refused with an error line.
        package var maxSubscribers = 64
        /// Queue length of a subscriber that does not ask for one.
        package var defaultQueue = 10_000
        /// The largest queue a subscriber may ask for.
        package var maxQueue = 100_000
        /// What happens when a subscriber's queue is full.
        package var overflowPolicy = OverflowPolicy.dropOldest
        /// Bytes of encoded events that all subscriber queues together may hold.
        package var memoryBudgetBytes = 64 << 20
        /// Connections that have not subscribed (yet) allowed at once: health checks, `trapmux stats`, clients
        /// between connecting and subscribing. Beyond it new connections are refused, so idle ones cannot use up
        /// the descriptors.
        package var maxUnsubscribedConnections = 64
        /// A connection that has sent no complete line this long after connecting is closed.
        package var firstLineTimeout: Duration = .seconds(10)
    }
}

/// What to do with an event that does not fit a subscriber's queue.
package enum OverflowPolicy: String, Sendable, Equatable, CaseIterable {
    /// Discard the oldest queued event to make room (the default: the newest news matters most).
    case dropOldest = "drop-oldest"
    /// Discard the new event.
    case dropNewest = "drop-newest"
    /// Close the subscriber's connection.
    case disconnect
}
