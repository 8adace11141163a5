// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "trapmux",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trapmux", targets: ["TrapMux"]),
        .library(name: "TrapDecoder", targets: ["TrapDecoder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .executableTarget(
            name: "TrapMux",
            dependencies: [
                "TrapDecoder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer entry point; only meaningful when built with --sanitize=fuzzer (scripts/fuzz).
        .executableTarget(
            name: "TrapDecoderFuzzer",
            dependencies: ["TrapDecoder"],
            path: "Tests/Fuzz/TrapDecoderFuzzer"
        ),
        .testTarget(name: "TrapDecoderTests", dependencies: ["TrapDecoder"]),
        .testTarget(name: "TrapMuxTests", dependencies: ["TrapMux", "TrapDecoder"]),
    ],
    swiftLanguageModes: [.v6]
)
