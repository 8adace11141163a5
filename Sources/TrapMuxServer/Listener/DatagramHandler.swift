import Logging
import NIOCore
import SNMPSecurity
import TrapDecoder
import TrapEvents

/// Turns each received datagram into an event: decode (USM for SNMPv3), check, classify, hand to the router, answer
/// informs.
/// Runs on the router's event loop, so handing over is a plain call.
package final class DatagramHandler: ChannelInboundHandler {
    package typealias InboundIn = AddressedEnvelope<ByteBuffer>
    package typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let router: EventRouter
    private let relays: RelaySink
    private let statistics: ReceiveStatistics
    /// Shared with the other listeners and replaced in place by a reload, hence read per datagram.
    private let admission: TrapAdmission
    /// USM processing, shared with the other listeners.
    private let v3: SNMPv3Receiver
    private let logger: Logger
    private var errorLog = DecodeErrorLog()
    private var loopLog = ReportThrottle<Bool>(interval: .minutes(1))
    private var needsFlush = false
    private var lastSource: (address: SocketAddress, source: SourceAddress)?
    /// The datagram being handled, copied out of NIO's receive buffer (so that nothing pins that buffer) into
    /// storage that is reused from datagram to datagram while no event keeps a view of the previous one.
    private var scratch: [UInt8] = []
    /// When the current receive batch was read: every datagram of one recvmmsg call was received at that time,
    /// and reading the clock once per batch rather than per datagram saves a system-clock read per trap.
    private var batchReceivedAt: Int64?

    package init(_ parts: TrapListener.Parts, logger: Logger) {
        self.router = parts.router
        self.relays = parts.relays
        self.statistics = parts.statistics
        self.admission = parts.admission
        self.v3 = parts.v3
        self.logger = logger
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let receivedAt = batchReceivedAt ?? WallClock.microseconds()
        batchReceivedAt = receivedAt
        statistics.datagrams += 1
        guard let source = source(of: envelope) else { return }
        let datagram = copy(envelope.data)
        guard let (message, incomingV3) = accept(datagram, from: source, replyTo: envelope.remoteAddress, context: context),
            let classification = message.classify(
                source: source.ipText, trustsTrapAddress: admission.trustsTrapAddress(from: source.ip)),
            !cameBack(message, from: source)
        else { return }

        statistics.accepted(message.version, generic: classification.generic)
        // RFC 3416 §4.2.7: acknowledge an inform once it is accepted for delivery.
        let response = incomingV3.map { v3.response(to: $0) } ?? message.informResponse()
        router.route(
            TrapEvent(
                seq: router.nextSeq(), receivedAt: receivedAt, source: source, datagram: datagram, message: message,
                classification: classification))
        if let response {
            reply(response, to: envelope.remoteAddress, context: context)
            statistics.informsAnswered += 1
        }
    }

    /// The datagram's octets in `scratch`: no allocation unless a sink kept a view of the previous datagram (then
    /// this one gets new storage and the kept one stays as it was).
    private func copy(_ data: ByteBuffer) -> [UInt8] {
        scratch.removeAll(keepingCapacity: true)
        data.withUnsafeReadableBytes { scratch.append(contentsOf: $0) }
        return scratch
    }

    /// The sender; traps come in bursts from the same one, so its text form is made once per burst.
    private func source(of envelope: AddressedEnvelope<ByteBuffer>) -> SourceAddress? {
        if let last = lastSource, last.address == envelope.remoteAddress {
            return last.source
        }
        guard let fresh = SourceAddress(envelope.remoteAddress) else { return nil }
        lastSource = (envelope.remoteAddress, fresh)
        return fresh
    }

    /// Decodes the datagram and runs it through its checks (USM for SNMPv3, the community list for v1 and v2c,
    /// the rate limit); nil when it is refused, counted and (for a reportable v3 failure) answered with a Report.
    private func accept(
        _ datagram: [UInt8], from source: SourceAddress, replyTo address: SocketAddress, context: ChannelHandlerContext
    ) -> (TrapMessage, USMIncomingMessage?)? {
        var message: TrapMessage
        var incomingV3: USMIncomingMessage?
        do {
            message = try TrapMessage(decoding: datagram)
        } catch {
            // A v3 discovery probe (a GetRequest) is no notification, yet USM must answer it.
            guard TrapMessage.declaredVersion(of: datagram[...]) == .v3 else {
                statistics.decodeErrors[error.kind, default: 0] += 1
                errorLog.record(error, from: source, length: datagram.count, logger: logger)
                return nil
            }
            message = TrapMessage(version: .v3, community: nil, pdu: .encrypted([]))
        }
        if message.version == .v3 {
            // Nothing of a v3 message is believed before USM has authenticated, time-checked and decrypted it.
            switch v3.receive(datagram[...], from: source) {
            case .accepted(let incoming):
                incomingV3 = incoming
                message = incoming.message
            case .refused(let error, let report):
                if let decodingError = error.decodingError, error.kind == .snmpInASNParseErrs {
                    statistics.decodeErrors[decodingError.kind, default: 0] += 1
                }
                if let report {
                    reply(report, to: address, context: context)
                }
                return nil
            }
        } else if !admission.allows(community: message.community) {
            statistics.communityRejected += 1
            return nil
        }
        guard admission.admit(source.ip, now: .now()) else {
            statistics.rateLimited += 1
            return nil
        }
        return (message, incomingV3)
    }

    /// Whether the trap is one this server relayed, coming back (counted by the relay sink, logged once a minute).
    private func cameBack(_ message: TrapMessage, from source: SourceAddress) -> Bool {
        guard relays.cameBack(message, from: source) else { return false }
        if loopLog.allows() {
            logger.warning(
                "a trap this server relayed came back from another receiver (a relay loop); dropped, not relayed again (logged once a minute; all are counted as relay_loops_dropped)",
                metadata: ["trap.source": "\(source.description)"])
        }
        return true
    }

    /// Sends a Response or Report back to the sender; flushed at the end of the receive batch.
    private func reply(_ datagram: [UInt8], to address: SocketAddress, context: ChannelHandlerContext) {
        let reply = AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: datagram))
        context.write(wrapOutboundOut(reply), promise: nil)
        needsFlush = true
    }

    package func channelReadComplete(context: ChannelHandlerContext) {
        batchReceivedAt = nil
        router.flush()
        admission.summarise(now: .now(), logger: logger)
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors from inform replies and the like concern one datagram only; the listener goes on.
        logger.debug("UDP socket error", metadata: ["error": "\(error)"])
    }
}

extension SourceAddress {
    /// The address of a datagram's sender; nil for non-IP addresses.
    package init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            let raw = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            self.init(
                ip: [UInt8(raw >> 24), UInt8(truncatingIfNeeded: raw >> 16), UInt8(truncatingIfNeeded: raw >> 8),
                     UInt8(truncatingIfNeeded: raw)],
                port: Int(UInt16(bigEndian: v4.address.sin_port)))
        case .v6(let v6):
            var storage = v6.address.sin6_addr
            let octets = withUnsafeBytes(of: &storage) { Array($0) }
            self.init(ip: octets, port: Int(UInt16(bigEndian: v6.address.sin6_port)))
        default:
            return nil
        }
    }
}
