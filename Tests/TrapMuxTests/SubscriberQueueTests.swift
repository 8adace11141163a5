import NIOCore
import Testing

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML

/// The bounded queue's rules, without any socket.
@Suite struct SubscriberQueueTests {
    private func line(_ seq: UInt64) -> QueuedLine {
        QueuedLine(seq: seq, bytes: ByteBuffer(string: "event \(seq)\n"))
    }

    private func drain(_ queue: inout SubscriberQueue) -> [String] {
        var out: [String] = []
        while let next = queue.next() {
            switch next {
            case .line(let line): out.append("\(line.seq)")
            case .dropped(let drop): out.append("dropped \(drop.count) \(drop.firstSeq)-\(drop.lastSeq)")
            }
        }
        return out
    }

    @Test func dropOldestKeepsTheNewestAndAnnouncesTheGapFirst() {
        var queue = SubscriberQueue(capacity: 3, policy: .dropOldest)
        for seq in 1...5 { _ = queue.enqueue(line(UInt64(seq))) }
        #expect(queue.count == 3)
        #expect(drain(&queue) == ["dropped 2 1-2", "3", "4", "5"])
        #expect(queue.droppedTotal == 2)
        #expect(queue.byteCount == 0)
    }

    @Test func dropNewestKeepsTheOldestAndAnnouncesTheGapAfterThem() {
        var queue = SubscriberQueue(capacity: 2, policy: .dropNewest)
        let outcomes = (1...4).map { queue.enqueue(line(UInt64($0))) }
        #expect(outcomes == [.queued, .queued, .droppedNewest, .droppedNewest])
        #expect(drain(&queue) == ["1", "2", "dropped 2 3-4"])
    }

    @Test func disconnectPolicyAsksToDisconnectWhenFull() {
        var queue = SubscriberQueue(capacity: 1, policy: .disconnect)
        #expect(queue.enqueue(line(1)) == .queued)
        #expect(queue.enqueue(line(2)) == .mustDisconnect)
    }

    @Test func shedEventsAreAnnouncedAfterWhatWasQueued() {
        var queue = SubscriberQueue(capacity: 10, policy: .dropOldest)
        _ = queue.enqueue(line(1))
        queue.recordShed(seq: 2)
        queue.recordShed(seq: 3)
        _ = queue.enqueue(line(4))
        #expect(drain(&queue) == ["1", "4", "dropped 2 2-3"])
    }

    @Test func byteCountFollowsTheQueuedLines() {
        var queue = SubscriberQueue(capacity: 2, policy: .dropOldest)
        _ = queue.enqueue(line(1))
        _ = queue.enqueue(line(22))
        #expect(queue.byteCount == "event 1\n".utf8.count + "event 22\n".utf8.count + 2 * QueuedLine.overheadBytes)
        _ = queue.enqueue(line(333))
        #expect(queue.byteCount == "event 22\n".utf8.count + "event 333\n".utf8.count + 2 * QueuedLine.overheadBytes)
    }
}

/// The subscriber connection's state machine.
@Suite struct SubscriberConnectionStateTests {
    typealias Request = SubscriberProtocol.Request

    @Test func aBadFirstRequestClosesTheConnection() {
        var state = SubscriberConnectionState()
        let error = SubscriberProtocol.RequestError(code: "bad_json", message: "x")
        #expect(state.received(.failure(error)) == .answerError(error, thenClose: true))
        #expect(state.phase == .closed)
    }

    @Test func aBadLaterRequestIsAnsweredAndTheConnectionStays() {
        var state = SubscriberConnectionState()
        #expect(state.received(.success(.ping)) == .answerPing)
        let error = SubscriberProtocol.RequestError(code: "bad_json", message: "x")
        #expect(state.received(.failure(error)) == .answerError(error, thenClose: false))
        #expect(state.phase == .open)
    }

    @Test func subscribingTwiceIsRefused() {
        var state = SubscriberConnectionState()
        let subscription = SubscriberProtocol.Subscription()
        #expect(state.received(.success(.subscribe(subscription))) == .subscribe(subscription))
        guard case .answerError(let error, false) = state.received(.success(.subscribe(subscription))) else {
            Issue.record("expected an error that keeps the connection")
            return
        }
        #expect(error.code == "already_subscribed")
    }
}
