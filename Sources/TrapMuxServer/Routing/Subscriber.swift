import NIOCore
import TrapDecoder
import TrapEvents

/// One subscribed connection as the hub sees it. Confined to the hub's event loop.
package final class Subscriber {
    package let id: Int
    package let subscription: SubscriberProtocol.Subscription
    package let channel: Channel
    package var queue: SubscriberQueue
    /// Events written to the connection.
    package var delivered: UInt64 = 0
    /// Whether the hub has it on its list of subscribers to flush.
    package var isDirty = false
    /// Lines for a subscriber that keeps up, gathered during one receive batch and written as one buffer:
    /// one write per batch instead of one per event.
    package var batch: ByteBuffer?

    package init(id: Int, subscription: SubscriberProtocol.Subscription, channel: Channel, queue: SubscriberQueue) {
        self.id = id
        self.subscription = subscription
        self.channel = channel
        self.queue = queue
    }
}
