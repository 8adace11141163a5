import Foundation
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// Where the package and the shared project files are: `shared` is the package root's sibling, here and in CI.
enum PackagePaths {
    /// The package root; this file is `Tests/TrapMuxTests/Support/PackagePaths.swift`.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared`.
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    /// `../shared/corpus/public`.
    static let publicCorpus = shared.appendingPathComponent("corpus/public")

    /// `../shared/corpus/public-v3`: SNMPv3 USM captures with their users.
    static let publicV3Corpus = shared.appendingPathComponent("corpus/public-v3")
}
