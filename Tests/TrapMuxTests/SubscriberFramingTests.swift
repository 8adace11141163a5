import Logging
import NIOCore
import NIOEmbedded
import Testing
import TrapDecoder

@testable import TrapEvents
@testable import TrapMuxServer

/// Request lines cut from a stream however it is split, holding at most one line beyond the complete ones; and the
/// fuzz findings of `SubscriberProtocolFuzzer`, each kept as a rule.
@Suite struct SubscriberFramingTests {
    static func lines(of stream: [UInt8], splitAt points: [Int], closing: Bool = false) -> [RequestLineFramer.Next] {
        var framer = RequestLineFramer(maximumLineLength: 16)
        var found: [RequestLineFramer.Next] = []
        var start = 0
        for end in points.map({ min($0, stream.count) }) + [stream.count] where end >= start {
            var chunk = ByteBuffer(bytes: stream[start..<end])
            framer.append(&chunk)
            start = end
            while case let next = framer.next(), next != .none {
                found.append(next)
                if next == .tooLong { return found }
            }
            framer.compact()
        }
        if closing {
            framer.closeInput()
            while case let next = framer.next(), next != .none { found.append(next) }
        }
        return found
    }

    @Test(arguments: [[], [1], [3, 4, 5], [5, 6], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]])
    func linesAreTheSameHoweverTheStreamIsSplit(_ points: [Int]) {
        let stream = Array("ab\r\n\ncd\nef".utf8)
        let expected: [RequestLineFramer.Next] = [.line(Array("ab".utf8)), .line([]), .line(Array("cd".utf8))]
        #expect(Self.lines(of: stream, splitAt: points) == expected)
        #expect(Self.lines(of: stream, splitAt: points, closing: true).last == .line(Array("ef".utf8)))
    }

    @Test func aLineBeyondTheLimitIsTooLongBeforeItsNewlineComes() {
        var framer = RequestLineFramer(maximumLineLength: 16)
        var chunk = ByteBuffer(bytes: Array("ok\n".utf8) + [UInt8](repeating: 0x41, count: 17))
        framer.append(&chunk)
        #expect(framer.partialLineTooLong)
        #expect(framer.next() == .line(Array("ok".utf8)))
        #expect(framer.next() == .tooLong)
        #expect(Self.lines(of: [UInt8](repeating: 0x41, count: 17) + [0x0A], splitAt: []) == [.tooLong])
        #expect(Self.lines(of: [UInt8](repeating: 0x41, count: 16) + [0x0A], splitAt: [8]).count == 1)
    }

    /// Found by reading SubscriberHandler for the fuzz harness: a subscriber whose socket is full (so requests wait)
    /// was still read, and a line without a newline grew without bound. Now it is refused once past 64 KiB.
    @Test func aSubscriberThatDoesNotReadCannotMakeTheServerBufferAnEndlessLine() throws {
        let connection = try EmbeddedSubscriberConnection()
        try connection.send(#"{"subscribe": {}}"# + "\n")
        #expect(connection.answers().first?.hasPrefix(#"{"subscribed""#) == true)
        connection.channel.isWritable = false
        connection.channel.pipeline.fireChannelWritabilityChanged()
        var sent = 0
        while connection.channel.isActive && sent < 1 << 20 {
            try connection.send(String(repeating: "x", count: 4096))
            sent += 4096
        }
        #expect(!connection.channel.isActive, "still open after \(sent) bytes without a newline")
        #expect(connection.handler.bufferedRequestBytes <= SubscriberProtocol.maximumLineLength + 4096)
        #expect(sent <= SubscriberProtocol.maximumLineLength + 4096)
    }
}

/// One connection's real handler on an embedded channel, with the parts it talks to.
final class EmbeddedSubscriberConnection {
    static let logger = Logger(label: "test")
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    let handler: SubscriberHandler
    let sink: SubscriberSink
    let admission: ConnectionAdmission

    init(limits: TrapMuxConfiguration.SubscriberSettings = .init()) throws {
        let router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "t", names: nil))
        sink = SubscriberSink(eventLoop: loop, limits: limits, logger: Self.logger)
        router.add(sink)
        admission = ConnectionAdmission(limit: 4, firstLineTimeout: .seconds(10))
        let v3 = SNMPv3Receiver(users: .init(), engine: USMLocalEngineFixture.engine, logger: Self.logger)
        let stats = StatsReport(
            processName: "t", listenPorts: [], router: router, receive: ReceiveStatistics(), subscribers: sink,
            connections: admission, relays: RelaySink(), v3: v3)
        handler = SubscriberHandler(
            sink: sink, admission: admission, router: router, stats: stats,
            access: PeerAccess(uids: [], gids: [], logger: Self.logger))
        channel = EmbeddedChannel(handler: handler, loop: loop)
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/t.sock")).wait()
    }

    func send(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
        loop.run()
    }

    /// The lines written to the client so far.
    func answers() -> [String] {
        var text = ""
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text.split(separator: "\n").map(String.init)
    }
}
