import NIOCore
import TrapDecoder

/// Recognises a relayed trap that comes back: a loop through another receiver (A relays to B, B relays back to
/// A), which the configuration check cannot see because only B's configuration closes it.
///
/// Detection by content, so that relayed traps stay exactly the RFC 3584 form an upstream manager expects
/// (raw relaying could not carry a mark anyway). The guard remembers, for `window`, a fingerprint of every
/// notification the relays sent (its PDU without request-id and community, which every hop may replace), the
/// source it came from, and the request-id the relay gave it when it renumbered it (v2c and inform modes). A
/// notification with a remembered fingerprint is ours coming back when it arrives from another source, or
/// carries the request-id we gave it. The same notification from its own source with its own request-id is a
/// retransmission (an inform whose Response was lost) and passes. A loop through a receiver that rewrites the
/// varbinds is not recognised here; if that receiver is a trapmux, it ends there, by the same rule.
struct RelayLoopGuard {
    private struct Sent {
        let source: SourceAddress
        /// The request-id a renumbering relay gave the notification; nil when it was sent as received.
        let assignedRequestID: Int32?
        let at: NIODeadline
    }

    /// How long a sent fingerprint is remembered: loops come back within milliseconds; this allows for queues.
    static let window: TimeAmount = .seconds(30)
    /// The most fingerprints remembered; the oldest are forgotten first (at 100k relayed traps/s, 0.6 s' worth).
    static let capacity = 65_536

    private var sent: [Int: Sent] = [:]
    /// Fingerprints in the order they were recorded, with when, so that the oldest can be forgotten.
    private var order = CircularBuffer<(fingerprint: Int, at: NIODeadline)>(initialCapacity: 1024)

    /// Remembers that a notification with this fingerprint, received from `source`, was relayed, renumbered to
    /// `assignedRequestID` or (nil) as received.
    mutating func record(_ fingerprint: Int, from source: SourceAddress, assignedRequestID: Int32?, now: NIODeadline) {
        sent[fingerprint] = Sent(source: source, assignedRequestID: assignedRequestID, at: now)
        order.append((fingerprint, now))
        while order.count > Self.capacity, let oldest = order.popFirst() {
            // Only if not recorded again since.
            if sent[oldest.fingerprint]?.at == oldest.at {
                sent[oldest.fingerprint] = nil
            }
        }
    }

    /// Whether a notification with this fingerprint and request-id, from `source`, is one of ours coming back.
    func isLoop(_ fingerprint: Int, requestID: Int32?, from source: SourceAddress, now: NIODeadline) -> Bool {
        guard let previous = sent[fingerprint], now - previous.at < Self.window else { return false }
        if previous.source != source { return true }
        return previous.assignedRequestID != nil && previous.assignedRequestID == requestID
    }

    /// Whether nothing is remembered (no relays yet): the receive path then skips the fingerprint.
    var isEmpty: Bool { sent.isEmpty }
}

extension TrapMessage {
    /// What identifies a notification across relaying (see `RelayLoopGuard`): its PDU without the request-id,
    /// which every hop renumbers, and without the community, which every hop may replace.
    var relayFingerprint: Int {
        var hasher = Hasher()
        switch pdu {
        case .trapV1(let trap):
            hasher.combine(0)
            hasher.combine(trap)
        case .trapV2(let notification):
            hasher.combine(1)
            hasher.combine(notification.varbinds)
        case .inform(let notification):
            hasher.combine(1)
            hasher.combine(notification.varbinds)
        case .encrypted(let octets):
            hasher.combine(2)
            hasher.combine(octets)
        }
        return hasher.finalize()
    }

    /// The request-id of a v2c or v3 notification; nil for SNMPv1 (which has none) and encrypted messages.
    var requestID: Int32? {
        switch pdu {
        case .trapV2(let notification): return notification.requestID
        case .inform(let notification): return notification.requestID
        case .trapV1, .encrypted: return nil
        }
    }
}
