import NIOCore

/// One subscribed connection as the hub sees it. Confined to the hub's event loop.
final class Subscriber {
    let id: Int
    let subscription: SubscriberProtocol.Subscription
    let channel: Channel
    var queue: SubscriberQueue
    /// Events written to the connection.
    var delivered: UInt64 = 0
    /// Whether the hub has it on its list of subscribers to flush.
    var isDirty = false
    /// Lines for a subscriber that keeps up, gathered during one receive batch and written as one buffer:
    /// one write per batch instead of one per event.
    var batch: ByteBuffer?

    init(id: Int, subscription: SubscriberProtocol.Subscription, channel: Channel, queue: SubscriberQueue) {
        self.id = id
        self.subscription = subscription
        self.channel = channel
        self.queue = queue
    }
}
