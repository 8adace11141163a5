// swift-tools-version:6.0
import PackageDescription

/// The targets on the receive path skip run-time exclusivity checks in release builds: every counter and queue is
/// confined to one event loop, and the checks (swift_beginAccess on each class property write) cost about 3 % of the
/// CPU per trap. Debug builds, which the test suite runs, keep them.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "trapmux",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trapmux", targets: ["TrapMux"]),
        .library(name: "TrapDecoder", targets: ["TrapDecoder"]),
        .library(name: "SNMPSecurity", targets: ["SNMPSecurity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure Swift, standard library only: the BER reader, SNMP message model, decoder and RFC 3584 mapping.
        .target(name: "TrapDecoder", swiftSettings: hotPath),
        // net-snmp, for MIB name lookup and as the benchmark baseline only.
        .systemLibrary(
            name: "CNetSNMP",
            pkgConfig: "netsnmp",
            providers: [.apt(["libsnmp-dev"])]
        ),
        // OpenSSL 3's libcrypto, for the two USM algorithms swift-crypto lacks: DES-CBC and SHA-224.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // SNMPv3 User-based Security Model (RFC 3414, 3826, 7860): keys, authentication, privacy, time windows.
        .target(
            name: "SNMPSecurity",
            dependencies: [
                "TrapDecoder",
                "COpenSSL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // TOML 1.0.0, every key with its line: the configuration file's syntax (its schema is the server's).
        .target(name: "TOML"),
        // Events and their rendering: the event model, JSON and operator text (SPEC §5, §6), process events.
        .target(name: "TrapEvents", dependencies: ["TrapDecoder"], swiftSettings: hotPath),
        // The MIB owner: the only target that may use net-snmp, behind one serial wrapper (SPEC §8).
        .target(
            name: "MIBLookup",
            dependencies: [
                "TrapDecoder", "TrapEvents", "CNetSNMP", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The server: listener, routing, subscribers, relay, lifecycle and configuration, driven in process by tests.
        .target(
            name: "TrapMuxServer",
            dependencies: [
                "TrapDecoder",
                "TrapEvents",
                "TOML",
                "SNMPSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: hotPath
        ),
        // The `trapmux` command: thin commands over the libraries, and the clients (tail, stats, send).
        .executableTarget(
            name: "TrapMux",
            dependencies: [
                "TrapDecoder",
                "TrapEvents",
                "TrapMuxServer",
                "MIBLookup",
                "SNMPSecurity",
                "TOML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildVersionPlugin"]
        ),
        // Writes the build's version (git describe) into the `trapmux` command before every build.
        .plugin(name: "BuildVersionPlugin", capability: .buildTool()),
        // libFuzzer entry point; only meaningful when built with --sanitize=fuzzer (scripts/fuzz).
        .executableTarget(
            name: "TrapDecoderFuzzer",
            dependencies: ["TrapDecoder", "TrapEvents"],
            path: "Tests/Fuzz/TrapDecoderFuzzer"
        ),
        // libFuzzer entry point for the configuration file: the TOML parser, then the server's schema layer on what
        // parses (scripts/fuzz TOMLDocumentFuzzer).
        .executableTarget(
            name: "TOMLDocumentFuzzer",
            dependencies: ["TOML", "TrapMuxServer"],
            path: "Tests/Fuzz/TOMLDocumentFuzzer"
        ),
        // libFuzzer entry point for SNMPv3 USM processing (scripts/fuzz USMFuzzer): datagrams as they come, and
        // messages built and authenticated for known users from the fuzz data.
        .executableTarget(
            name: "USMFuzzer",
            dependencies: ["SNMPSecurity", "TrapDecoder"],
            path: "Tests/Fuzz/USMFuzzer"
        ),
        // libFuzzer entry point for the subscriber protocol (scripts/fuzz SubscriberProtocolFuzzer): request lines, and
        // byte streams split at random points through one connection's real handler on an embedded channel.
        .executableTarget(
            name: "SubscriberProtocolFuzzer",
            dependencies: [
                "TrapMuxServer", "TrapDecoder", "TrapEvents", "SNMPSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fuzz/SubscriberProtocolFuzzer"
        ),
        // Decoder throughput against net-snmp's own parser (bench/decoder).
        .executableTarget(
            name: "DecoderBenchmark",
            dependencies: ["TrapDecoder", "CNetSNMP"],
            path: "bench/DecoderBenchmark"
        ),
        // Counts heap allocations for the receive-path benchmark (interposes malloc in the executable that links it).
        .target(name: "CMallocCounter", path: "bench/CMallocCounter"),
        // The receive path in process, CPU time and allocations per trap (bench/receive-path).
        .executableTarget(
            name: "ReceivePathBenchmark",
            dependencies: [
                "CMallocCounter", "TrapDecoder", "TrapEvents", "TrapMuxServer", "SNMPSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/ReceivePathBenchmark"
        ),
        .testTarget(name: "TrapDecoderTests", dependencies: ["TrapDecoder", "TrapEvents"]),
        .testTarget(name: "SNMPSecurityTests", dependencies: ["SNMPSecurity", "TrapDecoder"]),
        .testTarget(
            name: "TrapMuxTests",
            dependencies: [
                "TrapMux", "TrapMuxServer", "TrapEvents", "MIBLookup", "TOML", "TrapDecoder", "SNMPSecurity",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
