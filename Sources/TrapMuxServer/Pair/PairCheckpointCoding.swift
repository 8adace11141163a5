import NIOCore
import TrapDecoder
import TrapEvents

/// The records of a `batch` frame (see `PairControlProtocol`): how an event is written by the primary and made
/// again by the backup.
///
/// A trap travels as the datagram it was read from, with its source and receive time; the backup decodes and
/// classifies it again, which gives the same event (decoding is a pure function of the bytes). An SNMPv3 message
/// also carries its decrypted scopedPDU and accepted security level, so the backup needs neither keys nor time
/// windows to read it.
package enum PairCheckpointCoding {
    private static let trapRecord: UInt8 = 1
    private static let processRecord: UInt8 = 2

    /// Appends a trap record.
    package static func writeTrap(_ event: TrapEvent, into buffer: inout ByteBuffer) {
        buffer.writeInteger(trapRecord)
        buffer.writeInteger(event.seq)
        buffer.writeInteger(event.receivedAt)
        buffer.writeInteger(UInt8(event.source.ip.count))
        buffer.writeBytes(event.source.ip)
        buffer.writeInteger(UInt16(truncatingIfNeeded: event.source.port))
        buffer.writeLongBytes(event.datagram)
        if event.message.version == .v3, let scoped = scopedPDU(of: event.message) {
            buffer.writeLongBytes(scoped)
            buffer.writeInteger(level(event.message.v3?.acceptedSecurityLevel))
        } else {
            buffer.writeInteger(UInt32(0))
            buffer.writeInteger(UInt8(255))
        }
    }

    /// The size of `writeTrap`'s record of `event` when it is written by `writePlainTrap`: an SNMPv1 or SNMPv2c
    /// trap; nil for SNMPv3, whose record carries the scopedPDU, encoded by `writeTrap`.
    package static func plainTrapRecordSize(_ event: borrowing TrapEvent) -> Int? {
        guard event.message.version != .v3 else { return nil }
        return 1 + 8 + 8 + 1 + event.source.ip.count + 2 + 4 + event.datagram.count + 4 + 1
    }

    /// Writes exactly what `writeTrap` writes for an event that `plainTrapRecordSize` sized, at `destination`,
    /// without a buffer in between: the replay ring copies every trap this way.
    package static func writePlainTrap(_ event: borrowing TrapEvent, at destination: UnsafeMutableRawPointer) {
        var offset = 0
        func store<T: FixedWidthInteger>(_ value: T) {
            destination.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
            offset += MemoryLayout<T>.size
        }
        func store(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { (destination + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            offset += bytes.count
        }
        store(trapRecord)
        store(event.seq)
        store(event.receivedAt)
        store(UInt8(event.source.ip.count))
        store(event.source.ip)
        store(UInt16(truncatingIfNeeded: event.source.port))
        store(UInt32(event.datagram.count))
        store(event.datagram)
        store(UInt32(0))
        store(UInt8(255))
    }

    /// Appends a process event record.
    package static func writeProcess(_ event: ProcessEvent, seq: UInt64, at: Int64, into buffer: inout ByteBuffer) {
        buffer.writeInteger(processRecord)
        buffer.writeInteger(seq)
        buffer.writeInteger(at)
        writeProcessEvent(event, into: &buffer)
    }

    /// Reads a `batch` frame's body: how far the relays had sent, and every record.
    package static func readBatch(
        _ body: inout ByteBuffer
    ) throws(PairControlProtocol.ProtocolError) -> (relayedThrough: UInt64, entries: [EventRing.Entry]) {
        let relayedThrough = try body.need(UInt64.self, "batch relayed")
        let count = try body.need(UInt32.self, "batch count")
        var entries: [EventRing.Entry] = []
        entries.reserveCapacity(Int(min(count, 4096)))
        for _ in 0..<count {
            switch try body.need(UInt8.self, "record kind") {
            case trapRecord:
                entries.append(.checkpointed(try readTrap(&body)))
            case processRecord:
                let seq = try body.need(UInt64.self, "process seq")
                let at = try body.need(Int64.self, "process at")
                entries.append(.process(try readProcessEvent(&body), seq: seq, at: at))
            case let kind:
                throw .init("unknown record kind \(kind)")
            }
        }
        try body.finish("batch")
        return (relayedThrough, entries)
    }

    /// Reads one trap record, its kind octet included (as `writeTrap` wrote it).
    package static func readTrapRecord(_ body: inout ByteBuffer) throws(PairControlProtocol.ProtocolError) -> CheckpointedTrap {
        guard try body.need(UInt8.self, "record kind") == trapRecord else { throw .init("not a trap record") }
        return try readTrap(&body)
    }

    /// Reads a trap record's fields; the event is decoded only when it is needed (`CheckpointedTrap.event()`).
    private static func readTrap(_ body: inout ByteBuffer) throws(PairControlProtocol.ProtocolError) -> CheckpointedTrap {
        let seq = try body.need(UInt64.self, "trap seq")
        let receivedAt = try body.need(Int64.self, "trap receivedAt")
        let ipLength = try body.need(UInt8.self, "trap ip")
        guard ipLength == 4 || ipLength == 16, let ip = body.readBytes(length: Int(ipLength)) else {
            throw .init("trap ip: expected 4 or 16 octets")
        }
        let port = Int(try body.need(UInt16.self, "trap port"))
        let datagram = try body.needLongBytes("trap datagram")
        let plaintext = try body.needLongBytes("trap plaintext")
        let level = try body.need(UInt8.self, "trap level")
        return CheckpointedTrap(
            seq: seq, receivedAt: receivedAt, ip: ip, port: port, datagram: datagram, plaintext: plaintext, level: level)
    }

    /// An SNMPv3 message's scopedPDU in BER: contextEngineID, contextName and the notification.
    private static func scopedPDU(of message: TrapMessage) -> [UInt8]? {
        let (tag, notification): (UInt8, NotificationPDU)
        switch message.pdu {
        case .trapV2(let pdu): (tag, notification) = (BERTag.trapV2, pdu)
        case .inform(let pdu): (tag, notification) = (BERTag.informRequest, pdu)
        case .trapV1, .encrypted: return nil
        }
        var writer = BERWriter(capacity: 128 + notification.varbinds.count * 32)
        writer.constructed(BERTag.sequence) { scoped in
            scoped.primitive(BERTag.octetString, message.v3?.contextEngineID ?? [])
            scoped.primitive(BERTag.octetString, message.v3?.contextName ?? [])
            scoped.constructed(tag) { body in
                body.integer(Int64(notification.requestID))
                body.integer(Int64(notification.errorStatus))
                body.integer(Int64(notification.errorIndex))
                body.varbinds(notification.varbinds)
            }
        }
        return writer.bytes
    }

    private static func level(_ level: SNMPSecurityLevel?) -> UInt8 {
        switch level {
        case .noAuthNoPriv: return 0
        case .authNoPriv: return 1
        case .authPriv: return 2
        case nil: return 255
        }
    }

    static func securityLevel(_ raw: UInt8) -> SNMPSecurityLevel? {
        switch raw {
        case 0: return .noAuthNoPriv
        case 1: return .authNoPriv
        case 2: return .authPriv
        default: return nil
        }
    }
}
