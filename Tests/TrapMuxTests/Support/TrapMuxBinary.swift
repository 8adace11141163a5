import Foundation
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// The `trapmux` executable built beside this test bundle, and a way to run it.
///
/// SwiftPM puts executables and the test bundle in one products directory (`.build/<triple>/debug`). On
/// Linux the tests run inside `trapmuxPackageTests.xctest`, an executable there, so `Bundle.main` and
/// `CommandLine.arguments[0]` lead to the directory; on macOS the `.xctest` bundle is among
/// `Bundle.allBundles`. `TRAPMUX_BINARY` overrides the search (e.g. to test a release build).
enum TrapMuxBinary {
    enum Failure: Error, CustomStringConvertible {
        case notFound([String])

        var description: String {
            switch self {
            case .notFound(let searched):
                return "no built trapmux executable (run `swift build --build-tests` first); looked in "
                    + searched.joined(separator: ", ")
            }
        }
    }

    /// The directories that may hold `trapmux`, most specific first.
    static var candidateDirectories: [URL] {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["TRAPMUX_BINARY"] {
            directories.append(URL(fileURLWithPath: override).deletingLastPathComponent())
        }
        directories += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }
            .map { $0.bundleURL.deletingLastPathComponent() }
        if let executable = Bundle.main.executableURL {
            directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        directories.append(PackagePaths.root.appendingPathComponent(".build/debug"))
        return directories
    }

    /// The executable, found once.
    static func url() throws -> URL {
        try located.get()
    }

    private static let located: Result<URL, Failure> = {
        let name =
            ProcessInfo.processInfo.environment["TRAPMUX_BINARY"].map { URL(fileURLWithPath: $0).lastPathComponent }
            ?? "trapmux"
        let directories = candidateDirectories
        for directory in directories {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return .success(candidate.standardizedFileURL)
            }
        }
        return .failure(.notFound(directories.map(\.path)))
    }()

    /// Runs `trapmux arguments…` to completion (see `ChildProcess.wait(timeout:)`).
    static func run(
        _ arguments: [String], standardInput: ChildProcess.Input = .none, environment: [String: String] = [:],
        currentDirectory: URL? = nil, timeout: Duration = .seconds(30)
    ) async throws -> ChildProcess.Result {
        try await ChildProcess.run(
            url(), arguments, standardInput: standardInput, environment: environment,
            currentDirectory: currentDirectory, timeout: timeout)
    }

    /// Starts `trapmux arguments…` and returns it running, for servers; stop it with `signal(SIGTERM)` and
    /// `wait(timeout:)`.
    static func start(
        _ arguments: [String], standardInput: ChildProcess.Input = .none, environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws -> ChildProcess {
        let child = ChildProcess(
            try url(), arguments, standardInput: standardInput, environment: environment,
            currentDirectory: currentDirectory)
        try child.start()
        return child
    }
}
