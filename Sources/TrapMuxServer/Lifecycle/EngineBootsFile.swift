import Foundation
import TrapDecoder
import TrapEvents

/// snmpEngineBoots kept in `state_dir/engine-boots` and incremented at every start (SPEC §3a, RFC 3414 §2.2.2):
/// with the time window, what stops a message recorded before a restart from being accepted after it.
///
/// Written to a temporary file, synced and renamed over the old one, so a crash leaves either the old count or
/// the new one, never a torn file.
package struct EngineBootsFile {
    /// The file's path.
    package let path: String

    /// The file in `directory`.
    package init(directory: String) {
        path = (directory as NSString).appendingPathComponent("engine-boots")
    }

    /// Why the count could not be read or written: errno and what happened.
    package struct Failure: Error, CustomStringConvertible {
        package let code: Int32
        package let description: String
    }

    /// Reads the last count (0 when there is none yet), stores it plus one and returns that.
    package func increment() throws(Failure) -> Int32 {
        let previous = try read()
        // 2147483647 is the value at which an engine must be reconfigured (RFC 3414 §2.2.2); it stays there.
        let boots = previous == Int32.max ? Int32.max : previous + 1
        try write(boots)
        return boots
    }

    private func read() throws(Failure) -> Int32 {
        guard let data = FileManager.default.contents(atPath: path) else {
            if errno == ENOENT || !FileManager.default.fileExists(atPath: path) { return 0 }
            throw Failure(code: errno, description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int32(text), value >= 0 else {
            throw Failure(code: EINVAL, description: "\(path) holds \"\(text.prefix(40))\", not a count of boots")
        }
        return value
    }

    private func write(_ boots: Int32) throws(Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(code: EACCES, description: "cannot create \(directory): \(error.localizedDescription)")
        }
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(code: errno, description: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        let bytes = Array("\(boots)\n".utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(code: code, description: "cannot store \(path): \(String(cString: strerror(code)))")
        }
    }
}
