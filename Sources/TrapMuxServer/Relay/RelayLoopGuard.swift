import NIOCore
import TrapDecoder
import TrapEvents

/// Recognises a relayed trap that comes back: a loop through another receiver (A relays to B, B relays back to
/// A), which the configuration check cannot see because only B's configuration closes it.
///
/// Detection by content, so that relayed traps stay exactly what RFC 3584 says an upstream manager gets (and
/// raw relaying could not carry a mark anyway). The guard remembers, for `window`, a fingerprint of every
/// notification the relays sent, and how it was sent:
/// - `raw`: the datagram as received. Fingerprint: the PDU with its request-id. A copy that comes back from
///   another source (address and port) is the loop; from the same source it is a retransmission (an inform whose
///   Response was lost).
/// - `modified`: re-encoded with varbinds the relay added (snmpTrapAddress.0, snmpTrapCommunity.0, or the whole
///   RFC 3584 v1 conversion). Fingerprint: the varbinds, without request-id and community, which every hop may
///   replace. Only something that passed through this server carries exactly those varbinds: any match is the
///   loop.
/// - `renumbered`: re-encoded with the varbinds unchanged (they carried both already, e.g. from another
///   forwarder). A match is the loop if it carries the request-id this relay gave it, or once the same
///   notification has been relayed three times within the window: so such a loop ends after a few rounds.
/// A loop through a receiver that rewrites the varbinds is not recognised here; if that receiver is a trapmux,
/// it ends there, by the same rules.
package struct RelayLoopGuard {
    /// How a relay sent a notification (see the type's documentation).
    package enum Kind {
        case raw
        case modified
        case renumbered
    }

    private struct Sent {
        let kind: Kind
        let source: SourceAddress
        /// The request-id a renumbering relay gave the notification.
        let assignedRequestID: Int32?
        /// How often it was relayed within the window.
        var count: Int
        var at: NIODeadline
    }

    /// How long a sent fingerprint is remembered: loops come back within milliseconds; this allows for queues.
    package static let window: TimeAmount = .seconds(30)
    /// The most fingerprints remembered; the oldest are forgotten first (at 100k relayed traps/s, 0.6 s' worth).
    package static let capacity = 65_536
    /// Relayed this often within the window, an unchanged notification that comes back is taken for a loop.
    package static let renumberedRounds = 3

    private var sent: [Int: Sent] = [:]
    /// Fingerprints in the order they were recorded, with when, so that the oldest can be forgotten.
    private var order = CircularBuffer<(fingerprint: Int, at: NIODeadline)>(initialCapacity: 1024)

    /// Remembers that a notification received from `source` was relayed as `kind` (renumbered to
    /// `assignedRequestID` unless raw); `fingerprint` is what was sent's: `relayFingerprint(withRequestID: true)`
    /// of a raw datagram, else `RelayedNotification.relayFingerprint`.
    package mutating func record(
        _ kind: Kind, fingerprint: Int, from source: SourceAddress, assignedRequestID: Int32?, now: NIODeadline
    ) {
        // Several targets relaying one event (same `now`) count as one round.
        let previous = sent[fingerprint].flatMap { now - $0.at < Self.window ? $0 : nil }
        let count = (previous?.count ?? 0) + (previous?.at == now ? 0 : 1)
        sent[fingerprint] = Sent(kind: kind, source: source, assignedRequestID: assignedRequestID, count: count, at: now)
        order.append((fingerprint, now))
        while order.count > Self.capacity, let oldest = order.popFirst() {
            // Only if not recorded again since.
            if sent[oldest.fingerprint]?.at == oldest.at {
                sent[oldest.fingerprint] = nil
            }
        }
    }

    /// Whether `message` from `source` is one this server relayed, coming back.
    package func isLoop(_ message: TrapMessage, from source: SourceAddress, now: NIODeadline) -> Bool {
        if let raw = sent[message.relayFingerprint(withRequestID: true)], raw.kind == .raw, now - raw.at < Self.window,
            raw.source != source
        {
            return true
        }
        guard let previous = sent[message.relayFingerprint(withRequestID: false)], now - previous.at < Self.window else {
            return false
        }
        switch previous.kind {
        case .raw: return false
        case .modified: return true
        case .renumbered:
            return previous.assignedRequestID == message.requestID || previous.count >= Self.renumberedRounds
        }
    }

    /// Whether nothing is remembered (no relays yet): the receive path then skips the fingerprints.
    package var isEmpty: Bool { sent.isEmpty }
}

extension TrapMessage {
    /// What identifies a notification across relaying (see `RelayLoopGuard`): the PDU with or without its
    /// request-id (which a renumbering hop replaces), never the community (which any hop may replace).
    package func relayFingerprint(withRequestID: Bool) -> Int {
        var hasher = Hasher()
        hasher.combine(withRequestID)
        switch pdu {
        case .trapV1(let trap):
            hasher.combine(0)
            hasher.combine(trap)
        case .trapV2(let notification), .inform(let notification):
            hasher.combine(1)
            hasher.combine(notification.varbinds)
            if withRequestID { hasher.combine(notification.requestID) }
        case .encrypted(let octets):
            hasher.combine(2)
            hasher.combine(octets)
        }
        return hasher.finalize()
    }

    /// The request-id of a v2c or v3 notification; nil for SNMPv1 (which has none) and encrypted messages.
    package var requestID: Int32? {
        switch pdu {
        case .trapV2(let notification): return notification.requestID
        case .inform(let notification): return notification.requestID
        case .trapV1, .encrypted: return nil
        }
    }
}

extension RelayedNotification {
    /// `relayFingerprint(withRequestID: false)` of `message`, computed without building it.
    package var relayFingerprint: Int {
        var hasher = Hasher()
        hasher.combine(false)
        hasher.combine(1)
        hashVarbinds(into: &hasher)
        return hasher.finalize()
    }
}
