import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process for tests: started with arguments, environment and standard input, read on its own
/// threads (so a chatty child never blocks on a full pipe), and waited for with a deadline after which it is
/// sent SIGTERM and then SIGKILL. Long-running children (`trapmux serve`) can be watched while they run
/// (`waitForOutput`), signalled (`signal(SIGHUP)`) and fed standard input (`.pipe`).
final class ChildProcess: @unchecked Sendable {
    /// What the child reads on standard input.
    enum Input: Sendable {
        /// `/dev/null`.
        case none
        /// These octets, then end of file.
        case bytes([UInt8])
        /// A pipe kept open for `write(_:)` until `closeStandardInput()`.
        case pipe
    }

    /// How the child ended and what it wrote.
    struct Result: Sendable, CustomStringConvertible {
        /// The exit status, or the signal number when `signalled`.
        let status: Int32
        /// Whether the child was ended by a signal (a crash, or the deadline's SIGTERM/SIGKILL).
        let signalled: Bool
        /// Whether the deadline passed and the child was stopped.
        let timedOut: Bool
        let standardOutput: [UInt8]
        let standardError: [UInt8]

        var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
        var stderr: String { String(decoding: standardError, as: UTF8.self) }
        /// Standard error split into lines (without a final empty line).
        var stderrLines: [Substring] {
            stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stderr.hasSuffix("\n") ? 1 : 0)
        }
        /// Exited by itself with status `code`.
        func exited(_ code: Int32) -> Bool { !signalled && !timedOut && status == code }

        var description: String {
            let end = timedOut ? "timed out" : signalled ? "killed by signal \(status)" : "exit \(status)"
            return "\(end); stdout: \(stdout.prefix(2_000)); stderr: \(stderr.prefix(2_000))"
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case notStarted(String)
        case noStandardInputPipe

        var description: String {
            switch self {
            case .notStarted(let why): return "the child process could not start: \(why)"
            case .noStandardInputPipe: return "standard input is not a pipe (start with `.pipe`)"
            }
        }
    }

    let executable: URL
    let arguments: [String]
    private let process = Process()
    private let inputPipe: Pipe?
    private let outputBuffer = OutputBuffer()
    private let errorBuffer = OutputBuffer()
    private let exited = Latch()
    private let lock = NSLock()
    private var deadlinePassed = false
    /// Octets for standard input given as `.bytes`, written once the child runs.
    private let pendingInput: [UInt8]?

    /// Prepares (does not start) `executable arguments…`; `environment` is added to this process's own.
    init(
        _ executable: URL, _ arguments: [String], standardInput: Input = .none, environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        switch standardInput {
        case .none:
            inputPipe = nil
            pendingInput = nil
        case .bytes(let bytes):
            inputPipe = Pipe()
            pendingInput = bytes
        case .pipe:
            inputPipe = Pipe()
            pendingInput = nil
        }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
    }

    /// Starts the child and the threads that read its output.
    func start() throws {
        ignoreBrokenPipes()
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let exited = self.exited
        process.terminationHandler = { _ in exited.open() }
        do {
            try process.run()
        } catch {
            throw Failure.notStarted("\(executable.path): \(error)")
        }
        // The parent's copies of the child's ends must be closed, or end of file never comes.
        try? outputPipe.fileHandleForWriting.close()
        try? errorPipe.fileHandleForWriting.close()
        try? inputPipe?.fileHandleForReading.close()
        outputBuffer.drain(outputPipe.fileHandleForReading)
        errorBuffer.drain(errorPipe.fileHandleForReading)
        if let bytes = pendingInput, let input = inputPipe?.fileHandleForWriting {
            Thread.detachNewThread {
                try? input.write(contentsOf: bytes)
                try? input.close()
            }
        }
    }

    /// Starts `executable arguments…` and waits for it to end (see `wait(timeout:)`).
    static func run(
        _ executable: URL, _ arguments: [String], standardInput: Input = .none, environment: [String: String] = [:],
        currentDirectory: URL? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let child = ChildProcess(
            executable, arguments, standardInput: standardInput, environment: environment,
            currentDirectory: currentDirectory)
        try child.start()
        return await child.wait(timeout: timeout)
    }

    var processIdentifier: Int32 { process.processIdentifier }

    var isRunning: Bool { !exited.isOpen }

    /// Sends `signal` (e.g. SIGHUP, SIGTERM) to the child.
    func signal(_ signal: Int32) {
        guard isRunning else { return }
        _ = kill(process.processIdentifier, signal)
    }

    /// Writes to the child's standard input (started with `.pipe`).
    func write(_ bytes: [UInt8]) throws {
        guard let input = inputPipe?.fileHandleForWriting else { throw Failure.noStandardInputPipe }
        try input.write(contentsOf: bytes)
    }

    /// Ends the child's standard input (started with `.pipe`).
    func closeStandardInput() {
        try? inputPipe?.fileHandleForWriting.close()
    }

    /// What the child has written to standard output so far.
    var standardOutputSoFar: [UInt8] { outputBuffer.snapshot }

    /// What the child has written to standard error so far.
    var standardErrorSoFar: [UInt8] { errorBuffer.snapshot }

    /// Waits until standard output (or standard error, with `inStandardError`) contains `text`; false when
    /// the child ends or `timeout` passes first.
    func waitForOutput(
        containing text: String, inStandardError: Bool = false, timeout: Duration = .seconds(10)
    ) async -> Bool {
        let buffer = inStandardError ? errorBuffer : outputBuffer
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let bytes = buffer.snapshot
            if bytes.count >= needle.count, String(decoding: bytes, as: UTF8.self).contains(text) { return true }
            if !isRunning && buffer.isClosed { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for the child to end. After `timeout` it is sent SIGTERM, two seconds later SIGKILL, and the
    /// result says `timedOut`. Output is complete when this returns.
    func wait(timeout: Duration = .seconds(60)) async -> Result {
        let watchdog = Task { [self] in
            try await Task.sleep(for: timeout)
            guard isRunning else { return }
            lock.withLock { deadlinePassed = true }
            signal(SIGTERM)
            try await Task.sleep(for: .seconds(2))
            signal(SIGKILL)
        }
        await exited.wait()
        watchdog.cancel()
        await outputBuffer.waitUntilClosed()
        await errorBuffer.waitUntilClosed()
        return Result(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            timedOut: lock.withLock { deadlinePassed }, standardOutput: outputBuffer.snapshot,
            standardError: errorBuffer.snapshot)
    }
}

/// Writing to a child that has exited must fail with EPIPE, not raise SIGPIPE in the whole test process.
private func ignoreBrokenPipes() {
    _ = signal(SIGPIPE, SIG_IGN)
}

/// A gate that opens once; `wait()` returns when it is open.
final class Latch: @unchecked Sendable {
    private let lock = NSLock()
    private var opened = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    var isOpen: Bool { lock.withLock { opened } }

    func open() {
        let waiting: [CheckedContinuation<Void, Never>] = lock.withLock {
            opened = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if opened { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Everything read from one of the child's output pipes, filled by a thread of its own.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let closed = Latch()

    var snapshot: [UInt8] { lock.withLock { bytes } }
    var isClosed: Bool { closed.isOpen }

    /// Reads `handle` until end of file on a new thread.
    func drain(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            // `availableData` returns as soon as anything arrives; Foundation's `read(upToCount:)` on Linux
            // waits until the count is reached, which hides a running server's output.
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock { bytes += data }
            }
            try? handle.close()
            closed.open()
        }
    }

    func waitUntilClosed() async {
        await closed.wait()
    }
}
