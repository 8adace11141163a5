import NIOCore
import TrapDecoder
import TrapEvents

extension SubscriberSink {
    /// Serves a subscriber that resumes after `seq` (`resume_after`, SPEC §6): the retained events after it that it
    /// wants, at most its queue's length, preceded by a `dropped` marker for what is no longer retained; all before
    /// any live event, since this runs in the loop turn that registered it.
    package func resume(_ subscriber: Subscriber, after seq: UInt64) {
        guard let ring else {
            return
        }
        for item in ring.replay(after: seq, for: subscriber.subscription, limit: subscriber.queue.capacity) {
            switch item {
            case .line(let line, let seq):
                deliver(line, seq: seq, to: subscriber)
            case .notRetained(let range):
                deliver(ByteBuffer(bytes: SubscriberProtocol.notRetained(range)), seq: range.firstSeq, to: subscriber)
            }
        }
        flush()
    }
}
