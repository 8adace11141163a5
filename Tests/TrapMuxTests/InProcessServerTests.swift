import Foundation
import Logging
import NIOCore
import NIOEmbedded
import SNMPSecurity
import Testing
import TrapDecoder

@testable import TrapEvents
@testable import TrapMuxServer

/// The server's parts driven in process, with NIO's embedded channels instead of sockets: the router and its
/// sinks, subscriber queues under the memory budget, connection admission, trap admission, relay targets and
/// the datagram handler. The black-box binary tests keep proving the whole.
@Suite struct InProcessServerTests {
    static let logger = Logger(label: "test")

    /// A decoded, classified trap event from the test helpers' datagrams.
    static func event(
        _ datagram: [UInt8] = TestTraps.v2c(.linkDown), seq: UInt64 = 1,
        source: SourceAddress = SourceAddress(ip: [192, 0, 2, 7], port: 161)
    ) throws -> TrapEvent {
        let message = try TrapMessage(decoding: datagram)
        let classification = try #require(message.classify(source: source.ipText))
        return TrapEvent(
            seq: seq, receivedAt: 0, source: source, datagram: datagram, message: message, classification: classification)
    }

    /// A sink that records what it was offered and renders both formats twice, to see that rendering is shared.
    final class RecordingSink: EventSink {
        var traps: [(seq: UInt64, json: ByteBuffer, renderedOnce: Bool)] = []
        var processEvents: [UInt64] = []
        var flushes = 0

        func accept(_ routed: inout RoutedTrap) {
            // Asked twice, the line is at the same place in the router's arena: rendered once.
            let first = routed.withLine(.json) { $0.baseAddress }
            let again = routed.withLine(.json) { $0.baseAddress }
            traps.append((routed.event.seq, routed.line(.json), first == again))
        }

        func accept(_ routed: inout RoutedProcessEvent) {
            processEvents.append(routed.seq)
        }

        func flush() {
            flushes += 1
        }
    }

    @Test func theRouterNumbersEventsInOneSequenceAndRendersEachFormatOnce() throws {
        let loop = EmbeddedEventLoop()
        let router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "t", names: nil))
        let first = RecordingSink()
        let second = RecordingSink()
        router.add(first)
        router.add(second)
        router.route(try Self.event(seq: router.nextSeq()))
        router.route(.started, at: 0)
        router.route(try Self.event(seq: router.nextSeq()))
        router.flush()
        #expect(first.traps.map(\.seq) == [1, 3])
        #expect(first.processEvents == [2])
        #expect(second.traps.map(\.seq) == [1, 3])
        #expect(first.traps.allSatisfy(\.renderedOnce) && second.traps.allSatisfy(\.renderedOnce))
        // Each event's line is its own, though the arena is reused.
        #expect(first.traps.map { String(buffer: $0.json).contains(#""seq":\#($0.seq),"#) } == [true, true])
        #expect(first.flushes == 2)  // one for the process event, one for the batch
    }

    private func subscriberSink(budget: Int = 64 << 20) -> (EmbeddedEventLoop, SubscriberSink, EventRouter) {
        let loop = EmbeddedEventLoop()
        var limits = TrapMuxConfiguration.SubscriberSettings()
        limits.memoryBudgetBytes = budget
        let sink = SubscriberSink(eventLoop: loop, limits: limits, logger: Self.logger)
        let router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "t", names: nil))
        router.add(sink)
        return (loop, sink, router)
    }

    private func subscribe(
        _ sink: SubscriberSink, loop: EmbeddedEventLoop, filter: String? = nil, queue: Int = 100
    ) throws -> (EmbeddedChannel, Subscriber) {
        let channel = EmbeddedChannel(loop: loop)
        var subscription = SubscriberProtocol.Subscription()
        subscription.queue = queue
        if let filter {
            subscription.filter = try SubscriptionFilter.parse(try JSONValue(parsing: Array(filter.utf8)))
        }
        return (channel, try #require(sink.add(channel: channel, subscription: subscription)))
    }

    private func lines(_ channel: EmbeddedChannel) throws -> [String] {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func subscribersGetMatchingEventsOneWritePerBatch() throws {
        let (loop, sink, router) = subscriberSink()
        let (all, _) = try subscribe(sink, loop: loop)
        let (linkUpOnly, _) = try subscribe(sink, loop: loop, filter: #"{"generic": ["linkUp"]}"#)
        router.route(try Self.event(TestTraps.v2c(.linkDown), seq: router.nextSeq()))
        router.route(try Self.event(TestTraps.v2c(.linkUp), seq: router.nextSeq()))
        router.flush()
        // Both events to the first subscriber in one buffer, only linkUp to the second.
        #expect(try all.readOutbound(as: ByteBuffer.self).map { String(buffer: $0).split(separator: "\n").count } == 2)
        #expect(try all.readOutbound(as: ByteBuffer.self) == nil)
        let second = try lines(linkUpOnly)
        #expect(second.count == 1 && second[0].contains(#""generic_name":"linkUp""#))
    }

    @Test func aStuckSubscriberQueuesThenDropsTheOldestAndIsToldWhatItMissed() throws {
        let (loop, sink, router) = subscriberSink()
        let (stuck, subscriber) = try subscribe(sink, loop: loop, queue: 3)
        stuck.isWritable = false
        for _ in 0..<5 {
            router.route(try Self.event(seq: router.nextSeq()))
        }
        router.flush()
        #expect(try lines(stuck).isEmpty)
        #expect(sink.counters.queueDropped == 2)
        stuck.isWritable = true
        sink.pump(subscriber)
        let received = try lines(stuck)
        #expect(received.first == #"{"type":"dropped","count":2,"first_seq":1,"last_seq":2}"#)
        #expect(received.dropFirst().map { $0.contains(#""seq":"#) } == [true, true, true])
        #expect(sink.queuedBytes == 0)
    }

    @Test func theMemoryBudgetIsPaidByTheSubscriberFurthestBehind() throws {
        let (loop, sink, router) = subscriberSink(budget: 65_536)
        let (stopped, _) = try subscribe(sink, loop: loop, queue: 100_000)
        let (lagging, _) = try subscribe(sink, loop: loop, queue: 100_000)
        stopped.isWritable = false
        for _ in 0..<200 {
            router.route(try Self.event(seq: router.nextSeq()))
        }
        router.flush()
        lagging.isWritable = false
        for _ in 0..<20 {
            router.route(try Self.event(seq: router.nextSeq()))
        }
        router.flush()
        #expect(sink.queuedBytes <= 65_536)
        #expect(sink.counters.memoryShed > 0)
        // The lagging reader lost nothing: the stopped one, further behind, paid.
        #expect(sink.subscribers[1].queue.droppedTotal == 0)
        #expect(sink.subscribers[0].queue.droppedTotal == sink.counters.memoryShed)
    }

    @Test func connectionAdmissionMakesRoomFromTheOldestSilentConnection() throws {
        let loop = EmbeddedEventLoop()
        let admission = ConnectionAdmission(limit: 2, firstLineTimeout: .seconds(10))
        let silent = EmbeddedChannel(loop: loop)
        let talker = EmbeddedChannel(loop: loop)
        #expect(admission.admit(silent) && admission.admit(talker))
        admission.firstLineReceived(on: talker)
        let newcomer = EmbeddedChannel(loop: loop)
        #expect(admission.admit(newcomer))
        #expect(!silent.isActive && admission.counters.idleClosed == 1)
        admission.left(silent)  // what the closed connection's handler does
        admission.firstLineReceived(on: newcomer)
        #expect(!admission.admit(EmbeddedChannel(loop: loop)))
        #expect(admission.counters.refused == 1)
        admission.left(talker)
        #expect(admission.admit(EmbeddedChannel(loop: loop)))
    }

    @Test func trapAdmissionChecksCommunitiesAndPerSourceRates() {
        let admission = TrapAdmission(
            communities: ["public"], rateLimit: TrapMuxConfiguration.RateLimitSettings(rate: 10, burst: 2))
        #expect(admission.allows(community: Array("public".utf8)[...]))
        #expect(!admission.allows(community: Array("private".utf8)[...]))
        #expect(!admission.allows(community: nil))
        let start = NIODeadline.now()
        let source: [UInt8] = [192, 0, 2, 7]
        #expect(admission.admit(source, now: start) && admission.admit(source, now: start))
        #expect(!admission.admit(source, now: start))
        #expect(admission.admit([192, 0, 2, 8], now: start))
        #expect(admission.admit(source, now: start + .milliseconds(100)))
    }

    private func relayTarget(
        mode: TrapMuxConfiguration.RelayMode, community: String = "relayed", loop: EmbeddedEventLoop
    ) throws -> (RelayTarget, EmbeddedChannel) {
        var settings = TrapMuxConfiguration.RelaySettings(name: "up", target: "192.0.2.10:162")
        settings.mode = mode
        settings.community = community
        settings.timeout = .milliseconds(1)
        settings.retries = 1
        let address = try SocketAddress(ipAddress: "192.0.2.10", port: 162)
        let target = RelayTarget(
            settings: settings, address: address, eventLoop: loop,
            openSocket: { _ in loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }, reportFault: { _ in })
        let traffic = EmbeddedChannel(loop: loop)
        try target.adopt(traffic, as: .traffic)
        return (target, traffic)
    }

    @Test func aV2cRelayTargetReencodesPerRFC3584AndARawOneSendsTheDatagram() throws {
        let loop = EmbeddedEventLoop()
        let (v2c, v2cSocket) = try relayTarget(mode: .v2c, loop: loop)
        let (raw, rawSocket) = try relayTarget(mode: .raw, loop: loop)
        let dispatcher = RelayDispatcher(targets: [v2c, raw], eventLoop: loop)
        var kinds: [RelayLoopGuard.Kind] = []
        dispatcher.forward(try Self.event(TestTraps.v1(.linkDown))) { kinds.append($0.kind) }
        #expect(kinds == [.modified, .raw])
        dispatcher.flush()
        let sent = try #require(try v2cSocket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        let relayed = try TrapMessage(decoding: Array(sent.data.readableBytesView))
        #expect(relayed.version == .v2c && relayed.community.map { Array($0) } == Array("relayed".utf8))
        #expect(relayed.classify(source: nil)?.trapOID == GenericTrap.linkDown.standardTrapOID)
        #expect(relayed.varbinds.contains { $0.oid == WellKnownOID.snmpTrapAddress0 })
        let forwarded = try #require(try rawSocket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(Array(forwarded.data.readableBytesView) == TestTraps.v1(.linkDown))
    }

    @Test func targetsThatSendTheSameFormShareOneEncodingAndOneBufferPerBatch() throws {
        let loop = EmbeddedEventLoop()
        let (first, firstSocket) = try relayTarget(mode: .v2c, loop: loop)
        let (second, secondSocket) = try relayTarget(mode: .v2c, loop: loop)
        let (other, otherSocket) = try relayTarget(mode: .v2c, community: "other", loop: loop)
        let dispatcher = RelayDispatcher(targets: [first, second, other], eventLoop: loop)
        var forms = 0
        for seq in 1...3 {
            dispatcher.forward(try Self.event(TestTraps.v2c(.linkUp, requestID: Int32(seq)), seq: UInt64(seq))) { _ in forms += 1 }
        }
        dispatcher.flush()
        #expect(forms == 6)  // two forms per event: "relayed" (shared by two targets) and "other"
        func read(_ socket: EmbeddedChannel) throws -> [ByteBuffer] {
            try (0..<3).map { _ in try #require(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self)).data }
        }
        let (a, b, c) = (try read(firstSocket), try read(secondSocket), try read(otherSocket))
        func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? { buffer.withUnsafeReadableBytes { $0.baseAddress } }
        // The same bytes at the same address for the two that share a form; one request-id per event for all.
        #expect(zip(a, b).allSatisfy { $0 == $1 && address($0) == address($1) })
        let messages = try c.map { try TrapMessage(decoding: Array($0.readableBytesView)) }
        #expect(messages.map { $0.community.map { Array($0) } } == Array(repeating: Array("other".utf8), count: 3))
        let shared = try a.map { try TrapMessage(decoding: Array($0.readableBytesView)) }
        #expect(shared.map(\.requestID) == messages.map(\.requestID))
        #expect(Set(shared.map(\.requestID)).count == 3)
    }

    @Test func anInformTargetRetriesUntilAcknowledgedOrItsRetriesRunOut() throws {
        let loop = EmbeddedEventLoop()
        let (target, socket) = try relayTarget(mode: .inform, loop: loop)
        let dispatcher = RelayDispatcher(targets: [target], eventLoop: loop)
        dispatcher.forward(try Self.event()) { _ in }
        dispatcher.forward(try Self.event(seq: 2)) { _ in }
        dispatcher.flush()
        let informs = [
            try #require(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self)),
            try #require(try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self)),
        ].map { try! TrapMessage(decoding: Array($0.data.readableBytesView)) }
        let first = try #require(informs[0].requestID)
        // The first is acknowledged; the second is not, and is sent again, then given up.
        target.received(try #require(informs[0].informResponse()))
        #expect(target.counters.acknowledged == 1 && target.backlog == 1)
        usleep(2_000)
        target.checkTimeouts()
        #expect(target.counters.retransmitted == 1)
        usleep(2_000)
        target.checkTimeouts()
        #expect(target.counters.failed == 1 && target.backlog == 0)
        #expect(first != informs[1].requestID)
    }

    @Test func theDatagramHandlerDeliversAnswersInformsAndCountsWhatItRefuses() throws {
        let loop = EmbeddedEventLoop()
        let router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "t", names: nil))
        let recording = RecordingSink()
        router.add(recording)
        let statistics = ReceiveStatistics()
        let engine = USMLocalEngineFixture.engine
        let parts = TrapListener.Parts(
            router: router, relays: RelaySink(), statistics: statistics,
            admission: TrapAdmission(communities: ["public"], rateLimit: nil),
            v3: SNMPv3Receiver(users: .init(), engine: engine, logger: Self.logger))
        let channel = EmbeddedChannel(handler: DatagramHandler(parts, logger: Self.logger), loop: loop)
        let sender = try SocketAddress(ipAddress: "192.0.2.7", port: 161)
        func receive(_ datagram: [UInt8]) throws {
            try channel.writeInbound(AddressedEnvelope(remoteAddress: sender, data: ByteBuffer(bytes: datagram)))
        }
        try receive(TestTraps.v1(.coldStart))
        try receive(TestTraps.v2c(.linkUp, requestID: 9, inform: true))
        try receive(TestTraps.v2c(.linkUp, community: "private"))
        try receive([0x30, 0x03, 0x02, 0x01])
        channel.pipeline.fireChannelReadComplete()
        #expect(recording.traps.map(\.seq) == [1, 2])
        #expect(statistics.v1Traps == 1 && statistics.v2cTraps == 1 && statistics.datagrams == 4)
        #expect(statistics.communityRejected == 1 && statistics.decodeErrors[.truncated] == 1)
        let response = try #require(try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self))
        #expect(InformResponse.requestID(of: Array(response.data.readableBytesView)) == 9)
    }
}

/// An SNMP engine for tests that need one.
enum USMLocalEngineFixture {
    static let engine = USMLocalEngine(engineID: [0x80, 0x00, 0x1F, 0x88, 0x04, 0x74, 0x65, 0x73, 0x74], boots: 1, at: 0)
}
