import NIOCore
import NIOPosix
import TrapDecoder

/// Sends one datagram many times to one address, as fast as asked and no longer than allowed.
///
/// Batches go out through a NIO datagram channel, which flushes queued datagrams with sendmmsg; a token
/// bucket paces them. Where the PDU has a request-id, each copy gets its own (patched in place, no re-encoding).
struct LoadGenerator {
    /// How a run went.
    struct Outcome {
        let sent: Int
        let seconds: Double
        var rate: Double { seconds > 0 ? Double(sent) / seconds : 0 }
    }

    /// Datagrams handed to the channel before each flush (one sendmmsg call).
    static let batch = 64

    let target: ListenAddress
    let datagram: [UInt8]
    let count: Int
    /// Datagrams per second; 0 sends as fast as the socket takes them.
    let rate: Int
    /// The run stops after this long even if `count` was not reached.
    let maximumDuration: Duration

    func run() async throws -> Outcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let outcome = try await send(on: group)
            try? await group.shutdownGracefully()
            return outcome
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func send(on group: EventLoopGroup) async throws -> Outcome {
        let address = try SocketAddress(ipAddress: target.host, port: target.port)
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
            .bind(host: target.host.contains(":") ? "::" : "0.0.0.0", port: 0)
            .get()

        let requestID = Self.requestIDRange(in: datagram)
        var template = channel.allocator.buffer(bytes: datagram)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: maximumDuration)
        var sent = 0
        var nextID = UInt32(0x0100_0000)
        while sent < count && clock.now < deadline {
            var allowed = min(Self.batch, count - sent)
            if rate > 0 {
                // Token bucket: what the elapsed time has earned, at most one batch at a time.
                let elapsed = clock.now - start
                let earned = Int(Double(rate) * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
                allowed = min(allowed, earned - sent)
                if allowed <= 0 {
                    try await Task.sleep(for: .microseconds(max(50, 1_000_000 * Self.batch / max(rate, 1) / 4)))
                    continue
                }
            }
            var last: EventLoopFuture<Void>?
            for _ in 0..<allowed {
                if let requestID {
                    template.setInteger(nextID, at: requestID)
                    nextID = nextID == 0x7FFF_FFFF ? 0x0100_0000 : nextID + 1
                }
                last = channel.write(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(template.readableBytesView)))
            }
            channel.flush()
            try await last?.get()
            sent += allowed
        }
        let elapsed = clock.now - start
        try? await channel.close()
        return Outcome(
            sent: sent, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Where the 4-octet request-id of an SNMPv2 PDU sits in `datagram`; nil for v1 or other lengths.
    static func requestIDRange(in datagram: [UInt8]) -> Int? {
        var top = BERReader(datagram[...])
        guard var message = try? top.readConstructed(BERTag.sequence),
            let version = try? message.readInt32("version"), version == 1,
            (try? message.readElement(BERTag.octetString)) != nil,
            let pdu = try? message.readElement(),
            pdu.tag == BERTag.trapV2 || pdu.tag == BERTag.informRequest,
            var body = try? message.nested(in: pdu),
            let id = try? body.readElement(BERTag.integer), id.content.count == 4
        else { return nil }
        return id.content.startIndex
    }
}
