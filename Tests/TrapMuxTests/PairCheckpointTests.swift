import NIOCore
import Testing
import TrapDecoder

@testable import TrapMuxServer
@testable import TrapEvents

/// The control protocol's frames, the checkpoint records and the replay ring, without any socket (SPEC §6, §14).
@Suite struct PairCheckpointTests {
    private let renderer = EventRenderer(processName: "t", names: nil)

    private func event(_ seq: UInt64, _ datagram: [UInt8], port: Int = 4000) -> TrapEvent {
        let message = try! TrapMessage(decoding: datagram)
        let source = SourceAddress(ip: [192, 0, 2, 9], port: port)
        return TrapEvent(
            seq: seq, receivedAt: 1_700_000_000_000_000 + Int64(seq), source: source, datagram: datagram,
            message: message, classification: message.classify(source: source.ipText)!)
    }

    private func json(_ entry: EventRing.Entry) -> String {
        switch entry {
        case .retained, .checkpointed:
            guard let event = entry.trapEvent else { return "does not decode" }
            return json(event)
        case .process(let event, let seq, let at):
            var routed = RoutedProcessEvent(event, seq: seq, at: at, renderer: renderer)
            return String(buffer: routed.line(.json))
        }
    }

    private func json(_ event: TrapEvent) -> String {
        String(buffer: RoutedTrap(event, renderer: renderer, arena: LineArena()).line(.json))
    }

    /// A primary's ring keeps traps as records copied into shared chunks (not the events, whose views would hold
    /// the receive buffers): what it gives back is the same event, in order, and the oldest make room.
    @Test func theRingKeepsTrapsAsRecordsThatGiveBackTheSameEvents() {
        let ring = EventRing(capacity: 3, renderer: renderer)
        let events = (1...5).map { event(UInt64($0), TestTraps.v2c(.linkUp, inform: $0 % 2 == 0), port: $0) }
        for event in events { add(event, to: ring) }
        #expect(ring.entries.map(\.seq) == [3, 4, 5])
        #expect(ring.evicted == 2)
        #expect(ring.entries.map(json) == events.suffix(3).map(json))
    }

    /// The ring writes v1 and v2c records straight into its chunks: byte for byte what `writeTrap` writes.
    @Test func aPlainTrapRecordIsWhatWriteTrapWrites() throws {
        for event in [event(9, TestTraps.v1(.linkDown)), event(10, TestTraps.v2c(.coldStart, inform: true), port: 7)] {
            var buffer = ByteBuffer()
            PairCheckpointCoding.writeTrap(event, into: &buffer)
            let size = try #require(PairCheckpointCoding.plainTrapRecordSize(event))
            let direct = [UInt8](unsafeUninitializedCapacity: size) { storage, count in
                PairCheckpointCoding.writePlainTrap(event, at: UnsafeMutableRawPointer(storage.baseAddress!))
                count = size
            }
            #expect(direct == Array(buffer.readableBytesView))
        }
    }

    @Test func trapRecordsDecodeToTheSameEvent() throws {
        let events = [event(1, TestTraps.v1(.linkDown)), event(2, TestTraps.v2c(.linkUp, inform: true), port: 5)]
        var frame = ByteBufferAllocator().buffer(capacity: 256)
        frame.writeInteger(UInt64(1))
        frame.writeInteger(UInt32(events.count))
        for event in events { PairCheckpointCoding.writeTrap(event, into: &frame) }
        let (relayed, entries) = try PairCheckpointCoding.readBatch(&frame)
        #expect(relayed == 1)
        #expect(entries.map(json) == events.map(json))
    }

    @Test(arguments: [
        ProcessEvent.started, .startedAsBackup, .terminated(.loopTimerTimeout),
        .ioError(.init(code: 98, subcode: 2, file: "127.0.0.1:162", info: "in use")),
        .memoryFull(shed: 3, queuedBytes: 4, budgetBytes: 5), .internalError("x"),
        .takeover(.init(cause: .heartbeatLost, primaryCause: .loopTimerTimeout, primaryPID: 42)),
    ])
    func processRecordsRoundTrip(_ event: ProcessEvent) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        PairCheckpointCoding.writeProcessEvent(event, into: &buffer)
        #expect(try PairCheckpointCoding.readProcessEvent(&buffer) == event)
        #expect(buffer.readableBytes == 0)
    }

    @Test func everyProperPrefixOfAFrameWaitsForMore() throws {
        let whole = PairControlProtocol.heartbeat(.init(seq: 9, at: 10, dropped: 11))
        for length in 0..<whole.readableBytes {
            var prefix = whole.getSlice(at: 0, length: length)!
            #expect(try PairControlProtocol.nextFrame(&prefix) == nil)
        }
        var all = whole
        let (type, body) = try #require(try PairControlProtocol.nextFrame(&all))
        var read = body
        #expect(type == .heartbeat)
        #expect(try PairControlProtocol.readHeartbeat(&read) == .init(seq: 9, at: 10, dropped: 11))
    }

    @Test func unknownFrameTypeIsRefused() {
        var buffer = ByteBufferAllocator().buffer(capacity: 8)
        buffer.writeInteger(UInt32(1))
        buffer.writeInteger(UInt8(200))
        #expect(throws: PairControlProtocol.ProtocolError.self) { try PairControlProtocol.nextFrame(&buffer) }
    }

    @Test func relayCheckpointRoundTrips() throws {
        let checkpoint = RelayCheckpoint(
            seq: 77,
            targets: [
                .init(
                    name: "nms", queued: [.init(requestID: nil, datagram: [1, 2]), .init(requestID: 5, datagram: [3])],
                    outstanding: [.init(requestID: 9, attempts: 2, datagram: [4, 5, 6])])
            ])
        var frame = checkpoint.frame()
        let (type, body) = try #require(try PairControlProtocol.nextFrame(&frame))
        var read = body
        #expect(type == .relays)
        #expect(try RelayCheckpoint(reading: &read) == checkpoint)
    }

    // MARK: Replay ring

    /// Adds a trap as the router does.
    private func add(_ event: TrapEvent, to ring: EventRing) {
        var routed = RoutedTrap(event, renderer: renderer, arena: LineArena())
        ring.accept(&routed)
    }

    private func ring(capacity: Int, seqs: ClosedRange<UInt64>) -> EventRing {
        let ring = EventRing(capacity: capacity, renderer: renderer)
        for seq in seqs {
            add(event(seq, TestTraps.v1(seq % 2 == 0 ? .linkDown : .linkUp)), to: ring)
        }
        return ring
    }

    private func describe(_ items: [EventRing.ReplayItem]) -> [String] {
        items.map {
            switch $0 {
            case .line(_, let seq): return "\(seq)"
            case .notRetained(let gap): return "gap \(gap.count) \(gap.firstSeq)-\(gap.lastSeq)"
            }
        }
    }

    @Test func resumeGetsTheRetainedEventsAfterItsSequenceNumber() {
        let ring = ring(capacity: 10, seqs: 1...5)
        #expect(describe(ring.replay(after: 3, for: .init(), maxEntries: 100).items) == ["4", "5"])
        #expect(ring.replay(after: 3, for: .init(), maxEntries: 100).through == 5)
        #expect(ring.replay(after: 5, for: .init(), maxEntries: 100).items.isEmpty)
        #expect(ring.replay(after: 9, for: .init(), maxEntries: 100).items.isEmpty)
    }

    @Test func resumeAfterTheRingRolledOverStartsWithAGapMarker() {
        let ring = ring(capacity: 3, seqs: 1...10)
        #expect(describe(ring.replay(after: 2, for: .init(), maxEntries: 100).items) == ["gap 5 3-7", "8", "9", "10"])
        #expect(ring.evicted == 7)
    }

    @Test func resumeSendsOnlyWhatTheFilterWantsAPartAtATime() throws {
        let ring = ring(capacity: 100, seqs: 1...10)
        var linkDown = SubscriberProtocol.Subscription()
        linkDown.filter = try SubscriptionFilter(FilterRequest(generic: [.name("linkDown")]))
        #expect(describe(ring.replay(after: 0, for: linkDown, maxEntries: 100).items) == ["2", "4", "6", "8", "10"])
        let first = ring.replay(after: 0, for: linkDown, maxEntries: 3)
        #expect(describe(first.items) == ["2"])
        #expect(first.through == 3)
        #expect(describe(ring.replay(after: first.through, for: linkDown, maxEntries: 3).items) == ["4", "6"])
    }

    @Test func sequenceNumbersTheBackupNeverSawAreAGap() {
        let ring = EventRing(capacity: 10, renderer: renderer)
        for seq: UInt64 in [1, 2, 5, 6] { add(event(seq, TestTraps.v1(.coldStart)), to: ring) }
        ring.advance(to: 8)
        let replay = ring.replay(after: 1, for: .init(), maxEntries: 100)
        #expect(describe(replay.items) == ["2", "gap 2 3-4", "5", "6", "gap 2 7-8"])
        #expect(replay.through == 8)
    }
}
