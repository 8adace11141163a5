import Foundation
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// Work on a thread of its own, for a test that meanwhile blocks in a read: the cooperative pool has one thread
/// per core (two here), so work started as a task can wait behind other tests' blocking calls for longer than
/// the read's timeout, and the test then fails for want of a thread, not of trapmux.
final class BackgroundThread: @unchecked Sendable {
    private let done = Latch()
    private let lock = NSLock()
    private var failure: Error?

    /// Starts `body` on a new thread.
    init(_ body: @escaping @Sendable () throws -> Void) {
        Thread.detachNewThread { [self] in
            do {
                try body()
            } catch {
                lock.withLock { failure = error }
            }
            done.open()
        }
    }

    /// Waits for the work to finish and rethrows its error.
    func value() async throws {
        await done.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
    }
}
