import NIOCore
import TrapDecoder
import TrapEvents

/// What the relays hold that a backup must carry on after a takeover (SPEC §14): per target, the datagrams still
/// queued and the informs awaiting acknowledgement, as of the event numbered `seq` (`relays` frame).
package struct RelayCheckpoint: Equatable, Sendable {
    /// One target's part.
    package struct Target: Equatable, Sendable {
        /// A queued datagram, with its request-id when it is an inform.
        package struct Queued: Equatable, Sendable {
            package var requestID: Int32?
            package var datagram: [UInt8]
        }

        /// An inform sent and not yet acknowledged.
        package struct Outstanding: Equatable, Sendable {
            package var requestID: Int32
            package var attempts: Int
            package var datagram: [UInt8]
        }

        package var name: String
        package var queued: [Queued] = []
        package var outstanding: [Outstanding] = []

        package init(name: String, queued: [Queued] = [], outstanding: [Outstanding] = []) {
            self.name = name
            self.queued = queued
            self.outstanding = outstanding
        }

        /// Whether there is nothing to carry on.
        package var isEmpty: Bool { queued.isEmpty && outstanding.isEmpty }
    }

    /// The last event offered to the relays when the checkpoint was taken.
    package var seq: UInt64
    package var targets: [Target]

    package init(seq: UInt64, targets: [Target]) {
        self.seq = seq
        self.targets = targets
    }

    /// The `relays` frame.
    package func frame() -> ByteBuffer {
        PairControlProtocol.frame(.relays) { buffer in
            buffer.writeInteger(seq)
            buffer.writeInteger(UInt16(targets.count))
            for target in targets {
                buffer.writeShortString(target.name)
                buffer.writeInteger(UInt32(target.queued.count))
                for queued in target.queued {
                    buffer.writeInteger(queued.requestID ?? 0)
                    buffer.writeInteger(UInt8(queued.requestID == nil ? 0 : 1))
                    buffer.writeLongBytes(queued.datagram)
                }
                buffer.writeInteger(UInt32(target.outstanding.count))
                for outstanding in target.outstanding {
                    buffer.writeInteger(outstanding.requestID)
                    buffer.writeInteger(UInt8(clamping: outstanding.attempts))
                    buffer.writeLongBytes(outstanding.datagram)
                }
            }
        }
    }

    /// Reads a `relays` frame's body.
    package init(reading body: inout ByteBuffer) throws(PairControlProtocol.ProtocolError) {
        seq = try body.need(UInt64.self, "relays seq")
        targets = []
        for _ in 0..<(try body.need(UInt16.self, "relays count")) {
            var target = Target(name: try body.needShortString("relay name"))
            for _ in 0..<(try body.need(UInt32.self, "relay queued")) {
                let requestID = try body.need(Int32.self, "queued request-id")
                let hasID = try body.need(UInt8.self, "queued has-id") == 1
                target.queued.append(.init(requestID: hasID ? requestID : nil, datagram: try body.needLongBytes("queued")))
            }
            for _ in 0..<(try body.need(UInt32.self, "relay outstanding")) {
                let requestID = try body.need(Int32.self, "outstanding request-id")
                let attempts = Int(try body.need(UInt8.self, "outstanding attempts"))
                target.outstanding.append(
                    .init(requestID: requestID, attempts: attempts, datagram: try body.needLongBytes("outstanding")))
            }
            targets.append(target)
        }
        try body.finish("relays")
    }
}

extension RelayDispatcher {
    /// Every target's queue and unacknowledged informs, as of the event numbered `seq`.
    package func checkpoint(seq: UInt64) -> RelayCheckpoint {
        RelayCheckpoint(seq: seq, targets: targets.map(\.checkpoint))
    }

    /// Carries on a former primary's relaying: each target of the same name takes its part.
    package func restore(_ checkpoint: RelayCheckpoint) {
        for part in checkpoint.targets {
            targets.first { $0.settings.name == part.name }?.restore(part)
        }
    }

    /// Whether no target has datagrams queued (informs awaiting acknowledgement aside).
    package var queuesEmpty: Bool { targets.allSatisfy(\.queueIsEmpty) }
}
