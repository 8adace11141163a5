// swift-tools-version:6.0
import PackageDescription

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
    ],
    targets: [
        // Pure Swift, standard library only: the BER reader, SNMP message model, decoder and RFC 3584 mapping.
        .target(name: "TrapDecoder"),
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
        .executableTarget(
            name: "TrapMux",
            dependencies: [
                "TrapDecoder",
                "SNMPSecurity",
                "CNetSNMP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // libFuzzer entry point; only meaningful when built with --sanitize=fuzzer (scripts/fuzz).
        .executableTarget(
            name: "TrapDecoderFuzzer",
            dependencies: ["TrapDecoder"],
            path: "Tests/Fuzz/TrapDecoderFuzzer"
        ),
        // libFuzzer entry point for the configuration's TOML parser, whose files it compiles through the symlink
        // Tests/Fuzz/TOMLDocumentFuzzer/TOML -> Sources/TrapMux/Configuration/TOML (scripts/fuzz TOMLDocumentFuzzer).
        .executableTarget(
            name: "TOMLDocumentFuzzer",
            path: "Tests/Fuzz/TOMLDocumentFuzzer"
        ),
        // libFuzzer entry point for SNMPv3 USM processing (scripts/fuzz USMFuzzer): datagrams as they come, and
        // messages built and authenticated for known users from the fuzz data.
        .executableTarget(
            name: "USMFuzzer",
            dependencies: ["SNMPSecurity", "TrapDecoder"],
            path: "Tests/Fuzz/USMFuzzer"
        ),
        // Decoder throughput against net-snmp's own parser (bench/decoder).
        .executableTarget(
            name: "DecoderBenchmark",
            dependencies: ["TrapDecoder", "CNetSNMP"],
            path: "bench/DecoderBenchmark"
        ),
        .testTarget(name: "TrapDecoderTests", dependencies: ["TrapDecoder"]),
        .testTarget(name: "SNMPSecurityTests", dependencies: ["SNMPSecurity", "TrapDecoder"]),
        .testTarget(name: "TrapMuxTests", dependencies: ["TrapMux", "TrapDecoder", "SNMPSecurity"]),
    ],
    swiftLanguageModes: [.v6]
)
