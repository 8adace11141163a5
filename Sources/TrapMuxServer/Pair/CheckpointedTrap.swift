import NIOCore
import TrapDecoder
import TrapEvents

/// A trap as a backup keeps it from a checkpoint: the record's fields, decoded into an event only when one is
/// needed (a subscriber's replay, the relays at takeover). Decoding every checkpoint as it came cost the backup
/// about as much CPU as receiving costs the primary, on the same cores; most checkpointed traps are never asked for.
package struct CheckpointedTrap: Sendable {
    package let seq: UInt64
    package let receivedAt: Int64
    package let ip: [UInt8]
    package let port: Int
    /// The datagram as received.
    package let datagram: [UInt8]
    /// An SNMPv3 message's decrypted scopedPDU; empty otherwise.
    package let plaintext: [UInt8]
    /// Its accepted security level as the record has it (255: none).
    package let level: UInt8

    /// The event, decoded and classified again (a pure function of the bytes); nil when that fails.
    package func event() -> TrapEvent? {
        let source = SourceAddress(ip: ip, port: port)
        do {
            var message = try TrapMessage(decoding: datagram)
            if !plaintext.isEmpty, let header = message.v3 {
                message = try TrapMessage(v3: header, scopedPDU: plaintext[...])
                message.v3?.acceptedSecurityLevel = PairCheckpointCoding.securityLevel(level)
            }
            guard let classification = message.classify(source: source.ipText) else { return nil }
            return TrapEvent(
                seq: seq, receivedAt: receivedAt, source: source, datagram: datagram, message: message,
                classification: classification)
        } catch {
            return nil
        }
    }

    /// The record again, for a backup of this process once it is a primary.
    package func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(seq)
        buffer.writeInteger(receivedAt)
        buffer.writeInteger(UInt8(ip.count))
        buffer.writeBytes(ip)
        buffer.writeInteger(UInt16(truncatingIfNeeded: port))
        buffer.writeLongBytes(datagram)
        buffer.writeLongBytes(plaintext)
        buffer.writeInteger(level)
    }
}
