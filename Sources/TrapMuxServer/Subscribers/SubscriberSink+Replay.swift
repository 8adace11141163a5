import NIOCore
import TrapDecoder
import TrapEvents

extension SubscriberSink {
    /// Retained events rendered for a resuming subscriber per loop turn: a replay of a subscriber far behind must
    /// not hold the listener up for long.
    static let replayPartEntries = 256

    /// Serves a subscriber that resumes after `seq` (`resume_after`, SPEC §6): the retained events after it that it
    /// wants, preceded by `dropped` markers for what is no longer retained, then live events. The ring is replayed a
    /// part per loop turn, as fast as the subscriber's queue takes it; until the replay has caught up with the ring
    /// the sink does not hand the subscriber live events (the ring has them too), so none is sent twice or out of
    /// order.
    package func resume(_ subscriber: Subscriber, after seq: UInt64) {
        guard ring != nil else { return }
        subscriber.resumeAfter = seq
        continueReplay(subscriber)
    }

    private func continueReplay(_ subscriber: Subscriber) {
        guard let ring, let after = subscriber.resumeAfter, subscribers.contains(where: { $0 === subscriber }) else {
            return
        }
        // The replay goes at the subscriber's pace: more waits while what was replayed is still queued (it then
        // costs the memory budget nothing beyond one part).
        guard subscriber.queue.count < Self.replayPartEntries else {
            scheduleReplay(subscriber, in: .milliseconds(5))
            return
        }
        let (items, through) = ring.replay(
            after: after, for: subscriber.subscription, maxEntries: Self.replayPartEntries)
        for item in items {
            switch item {
            case .line(let line, let seq):
                line.withUnsafeReadableBytes { deliver($0, seq: seq, to: subscriber) }
            case .notRetained(let range):
                SubscriberProtocol.notRetained(range).withUnsafeBytes {
                    deliver($0, seq: range.firstSeq, to: subscriber)
                }
            }
        }
        if through >= ring.lastSeq {
            subscriber.resumeAfter = nil
        } else {
            subscriber.resumeAfter = through
            scheduleReplay(subscriber, in: nil)
        }
        flush()
    }

    private func scheduleReplay(_ subscriber: Subscriber, in delay: TimeAmount?) {
        let bound = NIOLoopBound((self, subscriber), eventLoop: eventLoop)
        if let delay {
            eventLoop.scheduleTask(in: delay) { bound.value.0.continueReplay(bound.value.1) }
        } else {
            eventLoop.execute { bound.value.0.continueReplay(bound.value.1) }
        }
    }
}
