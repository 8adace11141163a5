import NIOCore
import Testing

@testable import TrapMuxServer
@testable import TrapEvents

/// The pair's state machine (SPEC §14), without any socket: who takes over, when, and why.
@Suite struct PairStateTests {
    private let deadline = TimeAmount.milliseconds(1500)
    private func at(_ milliseconds: Int64) -> NIODeadline { .uptimeNanoseconds(UInt64(milliseconds) * 1_000_000) }

    @Test func primaryWelcomesOneBackupAndRefusesASecond() {
        var state = PairState(role: .primary, deadline: deadline)
        #expect(state.backupArrived(pid: 10, now: at(0)) == .welcome)
        guard case .refuse(let reason) = state.backupArrived(pid: 11, now: at(1)) else {
            Issue.record("a second backup was not refused")
            return
        }
        #expect(reason.contains("pid 10"))
        #expect(state.phase == .welcoming(backupPID: 10))
        let stranger = state.backupAttached(pid: 11, now: at(2))
        let welcomed = state.backupAttached(pid: 10, now: at(2))
        #expect(!stranger && welcomed)
        #expect(state.phase == .paired(backupPID: 10))
    }

    @Test func aBackupBeingWelcomedIsNotDroppedForSilence() {
        var state = PairState(role: .primary, deadline: deadline)
        _ = state.backupArrived(pid: 10, now: at(0))
        for milliseconds in stride(from: Int64(100), through: 3000, by: 100) {
            #expect(state.tick(now: at(milliseconds)) == .none)
        }
        let attached = state.backupAttached(pid: 10, now: at(3000))
        #expect(attached)
    }

    @Test func primaryDropsABackupThatMissesItsHeartbeats() {
        var state = PairState(role: .primary, deadline: deadline)
        _ = state.backupArrived(pid: 10, now: at(0))
        _ = state.backupAttached(pid: 10, now: at(0))
        for milliseconds in stride(from: Int64(100), through: 1500, by: 100) {
            #expect(state.tick(now: at(milliseconds)) == .none)
        }
        guard case .dropBackup = state.tick(now: at(1501)) else {
            Issue.record("a silent backup was kept")
            return
        }
        #expect(state.phase == .alone)
        #expect(state.backupArrived(pid: 12, now: at(1600)) == .welcome)
    }

    @Test func backupSaysOnceThatItWaitsForAPrimary() {
        var state = PairState(role: .backup, deadline: deadline)
        #expect(state.primaryUnreachable() == .reportWaiting)
        #expect(state.primaryUnreachable() == .none)
        #expect(state.paired(primaryPID: 7, now: at(0)) == .announceBackup)
        #expect(!state.isPrimary)
    }

    @Test func backupTakesOverAtOnceWhenThePrimaryConnectionEnds() {
        var state = PairState(role: .backup, deadline: deadline)
        _ = state.paired(primaryPID: 7, now: at(0))
        #expect(
            state.primaryConnectionEnded()
                == .takeOver(.init(cause: .primaryAborted, primaryCause: .processAborted, primaryPID: 7)))
        #expect(state.isPrimary)
        #expect(state.primaryConnectionEnded() == .none)
    }

    @Test func backupFencesAHungPrimaryThenTakesOverWithLoopTimerTimeout() {
        var state = PairState(role: .backup, deadline: deadline)
        _ = state.paired(primaryPID: 7, now: at(0))
        for milliseconds in stride(from: Int64(100), through: 2500, by: 100) {
            if milliseconds == 1000 { state.heard(at: at(1000)) }
            #expect(state.tick(now: at(milliseconds)) == .none)
        }
        #expect(state.tick(now: at(2501)) == .fence(pid: 7))
        #expect(state.tick(now: at(2520)) == .none)
        #expect(
            state.primaryConnectionEnded()
                == .takeOver(.init(cause: .heartbeatLost, primaryCause: .loopTimerTimeout, primaryPID: 7)))
    }

    @Test func aBackupThatStalledItselfDoesNotFenceThePrimary() {
        var state = PairState(role: .backup, deadline: deadline)
        _ = state.paired(primaryPID: 7, now: at(0))
        #expect(state.tick(now: at(100)) == .none)
        // Two seconds without a tick: this process was not running, so the primary's silence proves nothing.
        #expect(state.tick(now: at(2100)) == .none)
        for milliseconds in stride(from: Int64(2200), through: 3600, by: 100) {
            #expect(state.tick(now: at(milliseconds)) == .none)
        }
        #expect(state.tick(now: at(3601)) == .fence(pid: 7))
    }

    @Test func fencedPrimaryWhoseConnectionLingersIsTakenOverAfterTheGrace() {
        var state = PairState(role: .backup, deadline: deadline, fenceGrace: .milliseconds(50))
        _ = state.paired(primaryPID: 7, now: at(0))
        for milliseconds in stride(from: Int64(100), through: 1500, by: 100) { _ = state.tick(now: at(milliseconds)) }
        #expect(state.tick(now: at(1501)) == .fence(pid: 7))
        #expect(
            state.tick(now: at(1552))
                == .takeOver(.init(cause: .heartbeatLost, primaryCause: .loopTimerTimeout, primaryPID: 7)))
    }

    @Test(arguments: [
        (false, ProcessEvent.TakeoverCause.operatorRequest, ProcessEvent.TerminationCause.processStopped),
        (true, .primaryTerminated, .terminationRequest),
    ])
    func pairedPrimaryHandsOverWithTheCauseOfItsStop(
        stopping: Bool, cause: ProcessEvent.TakeoverCause, primaryCause: ProcessEvent.TerminationCause
    ) {
        var state = PairState(role: .primary, deadline: deadline)
        #expect(state.handOver(stopping: stopping) == .none)
        _ = state.backupArrived(pid: 10, now: at(0))
        #expect(state.handOver(stopping: stopping) == .none)
        _ = state.backupAttached(pid: 10, now: at(0))
        #expect(state.handOver(stopping: stopping) == .handOff(cause, primaryCause: primaryCause))
    }

    @Test func backupPairsAgainWhenAPrimaryThatStillRunsLetsItGo() {
        var state = PairState(role: .backup, deadline: deadline)
        _ = state.paired(primaryPID: 7, now: at(0))
        guard case .pairAgain = state.primaryConnectionEnded(primaryAlive: true) else {
            Issue.record("a backup took over from a primary that still runs")
            return
        }
        #expect(!state.isPrimary)
        #expect(state.paired(primaryPID: 7, now: at(10)) == .announceBackup)
        guard case .pairAgain = state.primaryDroppedThisBackup("missed heartbeats") else {
            Issue.record("a dropped backup did not pair again")
            return
        }
        #expect(state.primaryConnectionEnded() == .none)
    }

    @Test func backupTakesOverOnAHandoffWithItsCause() {
        var state = PairState(role: .backup, deadline: deadline)
        _ = state.paired(primaryPID: 7, now: at(0))
        let action = state.handoffReceived(.init(cause: .operatorRequest, primaryCause: .processStopped))
        #expect(action == .takeOver(.init(cause: .operatorRequest, primaryCause: .processStopped, primaryPID: 7)))
        // The connection that ends right after the hand-over is no second takeover.
        #expect(state.primaryConnectionEnded() == .none)
    }
}
