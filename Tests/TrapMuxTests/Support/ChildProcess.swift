import Foundation

#if canImport(Glibc)
import Glibc
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML
#endif

/// A child process for tests: started with arguments, environment and standard input, read on its own
/// threads (so a chatty child never blocks on a full pipe), and waited for with a deadline after which its
/// process group is sent SIGTERM and then SIGKILL. Long-running children (`trapmux serve`, `snmptrapd -f`) can
/// be watched while they run (`waitForOutput`), signalled (`signal(SIGHUP)`) and fed standard input (`.pipe`).
///
/// Spawned with `posix_spawn` and waited for with `waitpid` on the child's own pid, not with Foundation's
/// `Process`, which on Linux made tests hang in the parallel harness though the same steps passed by hand:
/// - `Process` learns of an exit only when a socket it hands to the child reaches end of file, and descendants
///   inherit that socket: a shell that leaves `snmptrapd … &` behind looks alive until snmptrapd ends.
/// - It closes the parent's other descriptors in the child from a list read before spawning, and its pipes and
///   sockets are not close-on-exec: one test's child can inherit another's pipe or exit socket created
///   meanwhile, and that child's output or exit then never ends while the first child lives.
/// - The child inherits the spawning thread's signal mask, and Swift concurrency's threads block nearly every
///   signal: snmptrapd started from a test ignored SIGTERM (and so did `timeout`), so it never stopped.
/// Here the child gets only standard input, output and error, an empty signal mask and default dispositions;
/// an exit is seen whatever descendants do, and no wait is unbounded.
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

    /// How long output may stay open after the child ended (a descendant can hold the pipes) before reading stops.
    static let outputGrace: Duration = .seconds(2)

    let executable: URL
    let arguments: [String]
    private let environment: [String: String]
    private let currentDirectory: URL?
    private let input: Input
    private let outputBuffer = OutputBuffer()
    private let errorBuffer = OutputBuffer()
    private let exited = Latch()
    private let lock = NSLock()
    // Guarded by `lock`: the pid is signalled only while unreaped, so a recycled pid is never hit.
    private var pid: pid_t = 0
    private var reaped = false
    private var exitStatus: Int32 = 0
    private var killedBySignal = false
    private var deadlinePassed = false
    private var inputDescriptor: Int32 = -1

    /// Prepares (does not start) `executable arguments…`; `environment` is added to this process's own.
    init(
        _ executable: URL, _ arguments: [String], standardInput: Input = .none, environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        self.currentDirectory = currentDirectory
        self.input = standardInput
    }

    /// The child's pid while it runs (0 before it started and once it has been reaped), for /proc readings.
    var processID: pid_t {
        lock.lock()
        defer { lock.unlock() }
        return reaped ? 0 : pid
    }

    /// Starts the child, the threads that read its output and the one that waits for its exit.
    func start() throws {
        ignoreBrokenPipes()
        var stdin: PipePair?
        if case .none = input {} else { stdin = try PipePair() }
        let stdout = try PipePair()
        let stderr = try PipePair()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin.read, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout.write, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, STDERR_FILENO)
        // Our pipes are close-on-exec already; this also keeps the test process's other descriptors (UDP sinks,
        // subscriber connections, other children's pipes) out of the child, where they would outlive their owner.
        _ = GNUExtensions.addCloseFrom?(&actions, 3)
        if let currentDirectory {
            guard let addChdir = GNUExtensions.addChdir else {
                throw Failure.notStarted("this C library has no posix_spawn_file_actions_addchdir_np")
            }
            _ = addChdir(&actions, currentDirectory.path)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own (so the deadline can stop descendants too), no blocked signals and default
        // dispositions: the test process ignores SIGPIPE, and ignored signals would otherwise survive exec.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        let flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = CStringArray([executable.path] + arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable.path, &actions, &attributes, argv.pointers, envp.pointers)
        // The child's ends belong to the child now; while the parent holds them, end of file never comes.
        if let stdin { close(stdin.read) }
        close(stdout.write)
        close(stderr.write)
        guard spawned == 0 else {
            if let stdin { close(stdin.write) }
            close(stdout.read)
            close(stderr.read)
            throw Failure.notStarted("\(executable.path): \(String(cString: strerror(spawned)))")
        }
        lock.withLock {
            pid = child
            inputDescriptor = stdin?.write ?? -1
        }
        outputBuffer.drain(stdout.read)
        errorBuffer.drain(stderr.read)
        watchForExit(child)
        if case .bytes(let bytes) = input {
            Thread.detachNewThread { [self] in
                try? write(bytes)
                closeStandardInput()
            }
        }
    }

    /// Waits for the child's exit on a thread of its own: first without reaping, so that `signal` (which only
    /// acts while the child is unreaped) can never reach another process that was given the same pid.
    private func watchForExit(_ child: pid_t) {
        Thread.detachNewThread { [self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(child), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            lock.withLock {
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(child, &status, 0) } while result == -1 && errno == EINTR
                // The low 7 bits are the terminating signal, 0 for a normal exit with its code in bits 8–15.
                if result == child, status & 0x7F != 0 {
                    killedBySignal = true
                    exitStatus = status & 0x7F
                } else {
                    exitStatus = result == child ? (status >> 8) & 0xFF : -1
                }
                reaped = true
            }
            exited.open()
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

    var processIdentifier: Int32 { lock.withLock { pid } }

    var isRunning: Bool { !exited.isOpen }

    /// Sends `signal` (e.g. SIGHUP, SIGTERM) to the child.
    func signal(_ signal: Int32) {
        lock.withLock {
            if pid > 0 && !reaped { _ = kill(pid, signal) }
        }
    }

    /// Sends `signal` to the child's process group: the child and whatever it started.
    private func signalGroup(_ signal: Int32) {
        lock.withLock {
            if pid > 0 && !reaped { _ = kill(-pid, signal) }
        }
    }

    /// Writes to the child's standard input (started with `.pipe`).
    func write(_ bytes: [UInt8]) throws {
        let descriptor = lock.withLock { inputDescriptor }
        guard descriptor >= 0 else { throw Failure.noStandardInputPipe }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += written
        }
    }

    /// Ends the child's standard input (started with `.pipe`).
    func closeStandardInput() {
        let descriptor: Int32 = lock.withLock {
            defer { inputDescriptor = -1 }
            return inputDescriptor
        }
        if descriptor >= 0 { close(descriptor) }
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

    /// Waits for the child to end. After `timeout` its process group is sent SIGTERM, two seconds later
    /// SIGKILL, and the result says `timedOut`. Output is complete when this returns, unless a descendant kept
    /// the pipes open for more than `outputGrace` after the child ended.
    func wait(timeout: Duration = .seconds(60)) async -> Result {
        // On a Dispatch queue, not a Task: tests that block the two threads of Swift's cooperative pool (blocking
        // socket reads with their own deadlines) would otherwise delay the deadline by as long as they block.
        let watchdog = DispatchQueue.global()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        watchdog.asyncAfter(deadline: .now() + seconds) { [self] in
            guard isRunning else { return }
            lock.withLock { deadlinePassed = true }
            signalGroup(SIGTERM)
            watchdog.asyncAfter(deadline: .now() + 2) { [self] in
                guard isRunning else { return }
                signalGroup(SIGKILL)
            }
        }
        await exited.wait()
        let grace = ContinuousClock.now + Self.outputGrace
        outputBuffer.stopReading(at: grace)
        errorBuffer.stopReading(at: grace)
        await outputBuffer.waitUntilClosed()
        await errorBuffer.waitUntilClosed()
        return lock.withLock {
            Result(
                status: exitStatus, signalled: killedBySignal, timedOut: deadlinePassed,
                standardOutput: outputBuffer.snapshot, standardError: errorBuffer.snapshot)
        }
    }
}

/// Writing to a child that has exited must fail with EPIPE, not raise SIGPIPE in the whole test process.
private func ignoreBrokenPipes() {
    _ = signal(SIGPIPE, SIG_IGN)
}

/// A pipe whose two descriptors are close-on-exec from the start, so no other child spawned meanwhile
/// (tests run in parallel) inherits them and keeps them open.
private struct PipePair {
    let read: Int32
    let write: Int32

    init() throws {
        var descriptors: [Int32] = [-1, -1]
        let result: Int32
        if let pipe2 = GNUExtensions.pipe2 {
            result = pipe2(&descriptors, O_CLOEXEC)
        } else {
            // Without pipe2 there is a window before FD_CLOEXEC; closing descriptors in the child still covers it.
            result = pipe(&descriptors)
            for descriptor in descriptors where result == 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
        guard result == 0 else {
            throw ChildProcess.Failure.notStarted("pipe: \(String(cString: strerror(errno)))")
        }
        read = descriptors[0]
        write = descriptors[1]
    }
}

/// glibc functions that Swift's Glibc module leaves out (they need _GNU_SOURCE), looked up once at run time.
private enum GNUExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// `pipe2(2)` (glibc 2.9).
    static let pipe2 = symbol("pipe2", as: Pipe2.self)
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34).
    static let addCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29).
    static let addChdir = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        // A null handle is RTLD_DEFAULT: the symbol as the process's libraries define it.
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }
}

/// NUL-terminated copies of strings in a NULL-terminated array, for `argv` and `envp`; freed on deinit.
private final class CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
    }

    deinit {
        for index in 0..<count { free(pointers[index]) }
        pointers.deallocate()
    }
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
    private var deadline: ContinuousClock.Instant?
    private let closed = Latch()

    var snapshot: [UInt8] { lock.withLock { bytes } }
    var isClosed: Bool { closed.isOpen }

    /// Reads `descriptor` on a new thread until end of file or the `stopReading(at:)` deadline, then closes it.
    func drain(_ descriptor: Int32) {
        Thread.detachNewThread { [self] in
            // Plain read(2) returns as soon as anything arrives (Foundation's `read(upToCount:)` on Linux waits for
            // the count, which hides a running server's output); poll's timeout lets the deadline be noticed.
            var chunk = [UInt8](repeating: 0, count: 65_536)
            reading: while true {
                if let deadline = lock.withLock({ deadline }), ContinuousClock.now >= deadline { break }
                var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&descriptorPoll, 1, 100)
                if ready < 0 && errno != EINTR { break }
                guard ready > 0 else { continue }
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                switch count {
                case 0: break reading
                case ..<0 where errno == EINTR || errno == EAGAIN: continue
                case ..<0: break reading
                default: lock.withLock { bytes += chunk[..<count] }
                }
            }
            close(descriptor)
            closed.open()
        }
    }

    /// Gives up waiting for end of file at `instant` (the child has ended; a descendant may hold the pipe).
    func stopReading(at instant: ContinuousClock.Instant) {
        lock.withLock { deadline = instant }
    }

    func waitUntilClosed() async {
        await closed.wait()
    }
}
