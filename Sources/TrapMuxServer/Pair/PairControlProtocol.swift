import NIOCore
import TrapDecoder
import TrapEvents

/// The pair's control protocol (SPEC §14), all of it in this file.
///
/// Transport: the primary's control socket (`[pair] control`), a Unix stream socket. A cross-host pair would carry
/// the same frames over TCP, without the descriptors (README, "Cross-host pair").
///
/// Framing: every frame is `length: u32` (the bytes that follow it), `type: u8`, then the type's fields. Integers are
/// big-endian; `string` is `u16` length + UTF-8; `bytes` is `u32` length + octets. A frame is at most
/// `maximumFrameLength` bytes; a longer one, an unknown type or a frame whose fields do not fill it exactly ends
/// the connection.
///
/// Opening (the connecting side speaks first; the primary answers each `hello` once):
/// - `hello` (1): `role: u8` (1 backup, 2 primary, 3 status, 4 takeover), `pid: u32`, `version: string`.
/// - `welcome` (2) to a backup, sent with SCM_RIGHTS carrying the UDP listen sockets in `udp` order, then the
///   subscriber listening socket: `pid: u32`, `lastSeq: u64`, `udp: u16` count × `address: string`, `socket: string`.
/// - `refused` (3): `reason: string`, then the primary closes (a second primary, a second backup).
/// - `status` (9) to `status`/`takeover`: `json: string` (what `trapmux pair status` prints; for `takeover`, whether
///   the switch starts).
///
/// Then, between primary (P) and backup (B), each side without waiting for the other:
/// - `heartbeat` (4), both ways every `[pair] heartbeat`: `seq: u64` (P: its last sequence number; B: the last one it
///   holds), `at: i64` (µs since the epoch), `dropped: u64` (P: checkpoint batches it could not send).
/// - `batch` (5), P → B, written before the batch is published: `relayed: u64` (every event up to it had left the
///   relay queues by the previous batch's end), `count: u32` × record. A record is `kind: u8` and
///   - trap (1): `seq: u64`, `receivedAt: i64`, `ip: u8 length + octets`, `port: u16`, `datagram: bytes` (as
///     received), `plaintext: bytes` (an SNMPv3 message's decrypted scopedPDU; empty otherwise), `level: u8`
///     (its accepted security level: 0 noAuthNoPriv, 1 authNoPriv, 2 authPriv, 255 none);
///   - process (2): `seq: u64`, `at: i64`, the event (`PairCheckpointCoding.writeProcessEvent`).
/// - `relays` (6), P → B with each heartbeat: `seq: u64` (the last event offered to the relays), `targets: u16` ×
///   (`name: string`, `queued: u32` × (`requestID: i32`, `hasID: u8`, `datagram: bytes`), `outstanding: u32` ×
///   (`requestID: i32`, `attempts: u8`, `datagram: bytes`)).
/// - `engines` (7), P → B when the SNMPv3 remote engine time cache changed: `count: u32` × (`engineID: bytes`,
///   `boots: i32`, `time: i32` (the notion now), `latest: i32`).
/// - `handoff` (8), P → B, the primary's last frame when it stops reading on purpose: `cause: string` (106's),
///   `primaryCause: string` (101's). Its listeners are closed before it is sent.
///
/// A backup that sees the connection end without `handoff` takes over at once (Primary-Aborted); one that hears
/// nothing for `missed` heartbeats kills the primary's pid (SO_PEERCRED) with SIGKILL, waits for the end of the
/// connection, and takes over (Heartbeat-Lost, primary cause Loop-timer-timeout).
package enum PairControlProtocol {
    /// The longest frame accepted: a full receive batch of large datagrams fits many times over.
    package static let maximumFrameLength = 64 << 20

    /// The frame types.
    package enum FrameType: UInt8, Sendable {
        case hello = 1
        case welcome = 2
        case refused = 3
        case heartbeat = 4
        case batch = 5
        case relays = 6
        case engines = 7
        case handoff = 8
        case status = 9
    }

    /// Who is saying `hello`.
    package enum HelloRole: UInt8, Sendable {
        case backup = 1
        case primary = 2
        case status = 3
        case takeover = 4
    }

    /// A frame that does not follow this protocol.
    package struct ProtocolError: Error, CustomStringConvertible {
        package let description: String
        package init(_ description: String) { self.description = description }
    }

    /// `hello`.
    package struct Hello: Equatable, Sendable {
        package var role: HelloRole
        package var pid: Int32
        package var version: String

        package init(role: HelloRole, pid: Int32, version: String) {
            self.role = role
            self.pid = pid
            self.version = version
        }
    }

    /// `welcome` (the descriptors travel beside it).
    package struct Welcome: Equatable, Sendable {
        package var pid: Int32
        package var lastSeq: UInt64
        package var udp: [String]
        package var socket: String
    }

    /// `heartbeat`.
    package struct Heartbeat: Equatable, Sendable {
        package var seq: UInt64
        package var at: Int64
        package var dropped: UInt64
    }

    /// `handoff`.
    package struct Handoff: Equatable, Sendable {
        package var cause: ProcessEvent.TakeoverCause
        package var primaryCause: ProcessEvent.TerminationCause
    }

    /// Writes one frame: its length, its type, and what `body` writes.
    package static func frame(_ type: FrameType, into buffer: inout ByteBuffer, _ body: (inout ByteBuffer) -> Void) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(type.rawValue)
        body(&buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }

    /// One frame as its own buffer.
    package static func frame(_ type: FrameType, _ body: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        frame(type, into: &buffer, body)
        return buffer
    }

    package static func hello(_ hello: Hello) -> ByteBuffer {
        frame(.hello) { buffer in
            buffer.writeInteger(hello.role.rawValue)
            buffer.writeInteger(UInt32(bitPattern: hello.pid))
            buffer.writeShortString(hello.version)
        }
    }

    package static func welcome(_ welcome: Welcome) -> ByteBuffer {
        frame(.welcome) { buffer in
            buffer.writeInteger(UInt32(bitPattern: welcome.pid))
            buffer.writeInteger(welcome.lastSeq)
            buffer.writeInteger(UInt16(welcome.udp.count))
            for address in welcome.udp { buffer.writeShortString(address) }
            buffer.writeShortString(welcome.socket)
        }
    }

    package static func text(_ type: FrameType, _ text: String) -> ByteBuffer {
        frame(type) { $0.writeShortString(text) }
    }

    package static func heartbeat(_ heartbeat: Heartbeat) -> ByteBuffer {
        frame(.heartbeat) { buffer in
            buffer.writeInteger(heartbeat.seq)
            buffer.writeInteger(heartbeat.at)
            buffer.writeInteger(heartbeat.dropped)
        }
    }

    package static func handoff(_ handoff: Handoff) -> ByteBuffer {
        frame(.handoff) { buffer in
            buffer.writeShortString(handoff.cause.rawValue)
            buffer.writeShortString(handoff.primaryCause.rawValue)
        }
    }

    // MARK: Reading

    /// Splits one whole frame off the front of `buffer`: its type and body; nil until a whole frame is there.
    package static func nextFrame(_ buffer: inout ByteBuffer) throws(ProtocolError) -> (FrameType, ByteBuffer)? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 1, Int(length) <= maximumFrameLength else {
            throw ProtocolError("frame length \(length) outside 1…\(maximumFrameLength)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        var body = buffer.readSlice(length: Int(length))!
        let raw: UInt8 = body.readInteger()!
        guard let type = FrameType(rawValue: raw) else { throw ProtocolError("unknown frame type \(raw)") }
        return (type, body)
    }

    package static func readHello(_ body: inout ByteBuffer) throws(ProtocolError) -> Hello {
        guard let raw: UInt8 = body.readInteger(), let role = HelloRole(rawValue: raw) else {
            throw ProtocolError("hello: unknown role")
        }
        let pid = Int32(bitPattern: try body.need(UInt32.self, "hello pid"))
        let version = try body.needShortString("hello version")
        try body.finish("hello")
        return Hello(role: role, pid: pid, version: version)
    }

    package static func readWelcome(_ body: inout ByteBuffer) throws(ProtocolError) -> Welcome {
        let pid = Int32(bitPattern: try body.need(UInt32.self, "welcome pid"))
        let lastSeq = try body.need(UInt64.self, "welcome seq")
        let count = try body.need(UInt16.self, "welcome udp count")
        var udp: [String] = []
        for _ in 0..<count { udp.append(try body.needShortString("welcome udp address")) }
        let socket = try body.needShortString("welcome socket")
        try body.finish("welcome")
        return Welcome(pid: pid, lastSeq: lastSeq, udp: udp, socket: socket)
    }

    package static func readText(_ body: inout ByteBuffer) throws(ProtocolError) -> String {
        let text = try body.needShortString("text")
        try body.finish("text frame")
        return text
    }

    package static func readHeartbeat(_ body: inout ByteBuffer) throws(ProtocolError) -> Heartbeat {
        let heartbeat = Heartbeat(
            seq: try body.need(UInt64.self, "heartbeat seq"), at: try body.need(Int64.self, "heartbeat at"),
            dropped: try body.need(UInt64.self, "heartbeat dropped"))
        try body.finish("heartbeat")
        return heartbeat
    }

    package static func readHandoff(_ body: inout ByteBuffer) throws(ProtocolError) -> Handoff {
        let cause = try body.needShortString("handoff cause")
        let primaryCause = try body.needShortString("handoff primary cause")
        try body.finish("handoff")
        guard let cause = ProcessEvent.TakeoverCause(rawValue: cause),
            let primaryCause = ProcessEvent.TerminationCause(rawValue: primaryCause)
        else { throw ProtocolError("handoff: unknown cause \(cause) / \(primaryCause)") }
        return Handoff(cause: cause, primaryCause: primaryCause)
    }
}

extension ByteBuffer {
    /// A `u16`-length-prefixed UTF-8 string (cut at 65,535 bytes).
    package mutating func writeShortString(_ text: String) {
        let bytes = Array(text.utf8.prefix(Int(UInt16.max)))
        writeInteger(UInt16(bytes.count))
        writeBytes(bytes)
    }

    /// A `u32`-length-prefixed run of octets.
    package mutating func writeLongBytes(_ bytes: some Collection<UInt8>) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }

    /// Reads an integer the frame must have.
    package mutating func need<T: FixedWidthInteger>(
        _ type: T.Type, _ what: String
    ) throws(PairControlProtocol.ProtocolError) -> T {
        guard let value = readInteger(as: T.self) else { throw .init("\(what): frame too short") }
        return value
    }

    /// Reads a string written by `writeShortString`.
    package mutating func needShortString(_ what: String) throws(PairControlProtocol.ProtocolError) -> String {
        let length = try need(UInt16.self, what)
        guard let text = readString(length: Int(length)) else { throw .init("\(what): frame too short") }
        return text
    }

    /// Reads octets written by `writeLongBytes`.
    package mutating func needLongBytes(_ what: String) throws(PairControlProtocol.ProtocolError) -> [UInt8] {
        let length = try need(UInt32.self, what)
        guard let bytes = readBytes(length: Int(length)) else { throw .init("\(what): frame too short") }
        return bytes
    }

    /// Requires the frame to be used up exactly.
    package func finish(_ what: String) throws(PairControlProtocol.ProtocolError) {
        guard readableBytes == 0 else { throw .init("\(what): \(readableBytes) bytes left over") }
    }
}
