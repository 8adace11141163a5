import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents

#if canImport(Glibc)
import Glibc
#endif

/// The process pair with real processes and sockets on loopback (SPEC §14, issue 15); every wait is bounded.
@Suite(.serialized) struct PairTests {
    @Test(arguments: [false, true])
    func pairsWhicheverStartsFirst(backupFirst: Bool) async throws {
        let pair = try RunningPair()
        var backup: ChildProcess?
        if backupFirst {
            let waiting = try pair.start(.backup, name: "backup")
            try await pair.expect(waiting, logs: "backup waiting: no primary answers")
            backup = waiting
        }
        let primary = try await pair.startPrimary()
        if let backup {
            try await pair.expect(backup, logs: "current state: backup")
        } else {
            backup = try await pair.startBackup()
        }
        let status = try await pair.status()
        #expect(status["role"] as? String == "primary")
        #expect(status["pid"] as? Int == Int(primary.processIdentifier))
        let peer = status["backup"] as? [String: Any]
        #expect(peer?["pid"] as? Int == Int(backup!.processIdentifier))
    }

    @Test func aSecondPrimaryIsRefusedWith103() async throws {
        let pair = try RunningPair()
        let first = try await pair.startPrimary()
        let second = try pair.start(.primary, name: "second")
        let result = await second.wait(timeout: .seconds(20))
        #expect(result.exited(1))
        #expect(result.stderr.contains("Process-I/O error"))
        #expect(result.stderr.contains("refused to start as a second primary: a primary (pid \(first.processIdentifier))"))
        #expect(result.stderr.contains("cause: Process-aborted"))
        #expect(first.isRunning)
    }

    @Test func theBackupReadsWhatTheKernelQueuedWhileThePrimaryHung() async throws {
        let pair = try RunningPair()
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        primary.signal(SIGSTOP)
        // Sent only once it is stopped: a batch it read and had not checkpointed would be the one possible loss.
        #expect(await RunningPair.waitUntilStopped(primary.processIdentifier))
        try pair.send(TestTraps.numbered(1...50))
        try await pair.expect(backup, logs: "reason: Heartbeat-Lost")
        let fenced = await primary.wait(timeout: .seconds(10))
        #expect(fenced.signalled && fenced.status == SIGKILL)
        #expect(String(decoding: backup.standardErrorSoFar, as: UTF8.self).contains("fencing it with SIGKILL"))

        let subscriber = try TestSubscriber(path: pair.socketPath)
        try subscriber.subscribe(#"{"format": "json", "process_events": false, "resume_after": 0}"#)
        let traps = try? subscriber.readTraps(50)
        let ids = traps?.compactMap { $0["request_id"] as? Int }
        #expect(ids == Array(1...50), "\(String(decoding: backup.standardErrorSoFar, as: UTF8.self))")
    }

    @Test func aPlannedTakeoverHandsOverWithOperatorRequest() async throws {
        let pair = try RunningPair()
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        let answer = try await TrapMuxBinary.run(["pair", "takeover", "--control", pair.controlPath], timeout: .seconds(20))
        #expect(answer.exited(0), "\(answer)")
        let stopped = await primary.wait(timeout: .seconds(10))
        #expect(stopped.exited(0))
        #expect(stopped.stderr.contains("cause: Process-stopped"))
        try await pair.expect(backup, logs: "reason: Operator-Request previous state: backup, current state: started")
        let status = try await pair.status()
        #expect(status["pid"] as? Int == Int(backup.processIdentifier))
    }

    @Test func aBackupStopsOnSIGTERMAndThePrimaryServesOn() async throws {
        let pair = try RunningPair()
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        backup.signal(SIGTERM)
        let stopped = await backup.wait(timeout: .seconds(10))
        #expect(stopped.exited(0), "\(stopped)")
        try await pair.expect(primary, logs: "backup dropped; running without one")
        #expect(primary.isRunning)
    }

    @Test func aBackupThePrimaryLetGoPairsAgainInsteadOfTakingOver() async throws {
        let pair = try RunningPair()
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        // Stopped longer than the primary's deadline: the primary lets it go and closes its connection.
        backup.signal(SIGSTOP)
        try await pair.expect(primary, logs: "missed its heartbeats")
        backup.signal(SIGCONT)
        try await pair.expect(backup, logs: "the primary let this backup go; pairing again")
        try await pair.expect(primary, logs: "backup paired", occurrences: 2)
        #expect(!String(decoding: backup.standardErrorSoFar, as: UTF8.self).contains("Process-Takeover"))
        #expect(primary.isRunning)
    }

    @Test func resumeAfterTheRingRolledOverStartsWithAGapMarker() async throws {
        // Without a pair the ring still serves subscribers that restart; 102 is seq 1, the traps 2–11.
        let server = try await RunningServer(configuration: "[mibs]\nenabled = false\n[pair]\nring = 5\n")
        let counter = try server.connect()
        try counter.subscribe()
        try server.send(TestTraps.numbered(1...10))
        _ = try counter.readTraps(10)
        let resumed = try server.connect()
        try resumed.subscribe(#"{"format": "json", "process_events": false, "resume_after": 2}"#)
        let marker = try resumed.readObject()
        #expect(marker["type"] as? String == "dropped")
        #expect(marker["reason"] as? String == "not_retained")
        #expect(marker["first_seq"] as? Int == 3)
        #expect(marker["last_seq"] as? Int == 6)
        #expect(marker["count"] as? Int == 4)
        let ids = try resumed.readTraps(5).compactMap { $0["request_id"] as? Int }
        #expect(ids == Array(6...10))
        _ = await server.stop()
    }
}
