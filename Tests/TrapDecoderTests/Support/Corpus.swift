import Foundation
import Testing

/// The shared datagram corpora: `../shared/corpus/public` (with their expected decodes) and
/// `../shared/bench/packets`, found next to the package root, as CI clones the repository beside `shared`.
enum Corpus {
    /// One datagram file and what must happen when it is decoded.
    struct Datagram: Sendable, CustomTestStringConvertible {
        enum Expectation: Sendable {
            /// It must decode (`lenient`: it may also be rejected).
            case decode(lenient: Bool)
            /// `{"expect": "error"}`: it must be rejected.
            case error
        }

        let name: String
        let bytes: [UInt8]
        let expectation: Expectation

        var testDescription: String { name }

        /// Whether the datagram is a valid notification that a decoder must accept.
        var mustDecode: Bool {
            if case .decode(lenient: false) = expectation { return true }
            return false
        }

        var mustBeRejected: Bool {
            if case .error = expectation { return true }
            return false
        }
    }

    /// The package root: this file is `Tests/TrapDecoderTests/Support/Corpus.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package root.
    static let sharedDirectory = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// `shared/corpus/public/*.bin`, each with the expectation of its `.json`.
    static let publicDatagrams: [Datagram] = load(sharedDirectory.appendingPathComponent("corpus/public")) { json in
        guard let object = json as? [String: Any] else { return nil }
        if object["expect"] as? String == "error" { return .error }
        return .decode(lenient: object["lenient"] as? Bool ?? false)
    }

    /// `shared/bench/packets/*.bin`: real net-snmp traps, all valid.
    static let benchDatagrams: [Datagram] = load(sharedDirectory.appendingPathComponent("bench/packets")) { _ in
        .decode(lenient: false)
    }

    /// Every datagram that must decode.
    static var valid: [Datagram] { (publicDatagrams + benchDatagrams).filter(\.mustDecode) }

    /// Every datagram of both corpora.
    static var all: [Datagram] { publicDatagrams + benchDatagrams }

    private static func load(_ directory: URL, expectation: (Any?) -> Datagram.Expectation?) -> [Datagram] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.sorted().compactMap { name in
            let binary = directory.appendingPathComponent(name)
            let stem = String(name.dropLast(4))
            let json = (try? Data(contentsOf: directory.appendingPathComponent(stem + ".json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) }
            guard let bytes = try? Data(contentsOf: binary), let expected = expectation(json) else { return nil }
            return Datagram(name: stem, bytes: [UInt8](bytes), expectation: expected)
        }
    }
}
