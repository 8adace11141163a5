import Foundation

/// Programs from outside the package that some tests use when they are installed (`scripts/test` installs them):
/// promtool, systemd-analyze, python3 with prometheus_client, shells for the completion scripts.
enum ExternalTool {
    /// The executable `name` on `$PATH` (or in the usual system folders), or nil.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin"]
        for folder in folders {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Whether python3 can import `module`.
    static func pythonHas(_ module: String) async -> Bool {
        guard let python = find("python3") else { return false }
        let result = try? await ChildProcess.run(python, ["-c", "import \(module)"], timeout: .seconds(30))
        return result?.exited(0) == true
    }
}
