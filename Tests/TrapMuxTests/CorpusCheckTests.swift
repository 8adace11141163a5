import Foundation
import Testing
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// The shared corpus checker run against the built `trapmux decode --json`, as CI and the README do.
@Suite("Corpus check (check.py)")
struct CorpusCheckTests {
    @Test(.timeLimit(.minutes(5)))
    func checkPyReportsNoMismatchOnThePublicCorpus() async throws {
        let trapmux = try TrapMuxBinary.url()
        let checker = PackagePaths.shared.appendingPathComponent("corpus/check.py")
        try #require(FileManager.default.fileExists(atPath: checker.path), "no \(checker.path)")
        // check.py splits the command with shlex, so the path is quoted for a POSIX shell.
        let command = "'\(trapmux.path.replacingOccurrences(of: "'", with: "'\\''"))' decode --json {}"
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", checker.path, command, PackagePaths.publicCorpus.path],
            timeout: .seconds(240))
        #expect(result.exited(0), "\(result)")
        let total = result.stdout.split(separator: "\n").last { $0.hasPrefix("TOTAL ") }
        #expect(total?.hasSuffix(" files, 0 mismatches") == true, "\(result.stdout)")
        let files = total?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(files >= 32, "check.py saw \(files) files")
    }

    /// The issue's command: every v3 capture verified, decrypted or refused under the counter it expects.
    @Test(.timeLimit(.minutes(5)))
    func checkPyReportsNoMismatchOnTheV3CorpusWithItsUsers() async throws {
        let trapmux = try TrapMuxBinary.url()
        let checker = PackagePaths.shared.appendingPathComponent("corpus/check.py")
        let users = PackagePaths.publicV3Corpus.appendingPathComponent("users.json")
        try #require(FileManager.default.fileExists(atPath: users.path), "no \(users.path)")
        let command =
            "'\(trapmux.path.replacingOccurrences(of: "'", with: "'\\''"))' decode --json --no-mibs --usm-users "
            + "'\(users.path)' --engine-id 80001f8804747261706d75782d7278 {state} {}"
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", checker.path, command, PackagePaths.publicV3Corpus.path], timeout: .seconds(240))
        #expect(result.exited(0), "\(result)")
        let total = result.stdout.split(separator: "\n").last { $0.hasPrefix("TOTAL ") }
        #expect(total?.hasSuffix(" files, 0 mismatches") == true, "\(result.stdout)")
        let files = total?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(files >= 44, "check.py saw \(files) files")
    }
}
