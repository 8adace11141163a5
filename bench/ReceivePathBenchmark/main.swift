// The receive path in process, without sockets: each datagram goes through the server's real DatagramHandler,
// EventRouter and SubscriberSink to JSON subscribers on NIO's embedded channels, in batches of 64 as recvmmsg
// delivers them. Reports CPU nanoseconds and heap allocations per trap for every packet of bench/packets, with 1 and
// with 4 subscribers (run it with bench/receive-path). Allocations are counted by CMallocCounter, which interposes
// malloc in this executable; the embedded channels' own bookkeeping is included, so the figure is an upper bound
// for the socket path.

import CMallocCounter
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import SNMPSecurity
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// One measurement: a packet, a number of subscribers, what a trap cost.
struct Measurement {
    let packet: String
    let subscribers: Int
    let nanosecondsPerTrap: Double
    let allocationsPerTrap: Double
}

/// The server's receive-path parts on an embedded loop, with `subscriberCount` JSON subscribers.
final class Rig {
    let loop = EmbeddedEventLoop()
    let listener: EmbeddedChannel
    let subscribers: [EmbeddedChannel]
    let relaySockets: [EmbeddedChannel]
    let sender = try! SocketAddress(ipAddress: "192.0.2.7", port: 161)

    init(subscriberCount: Int, fields: String?, relayCount: Int, ringCapacity: Int) throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let router = EventRouter(eventLoop: loop, renderer: EventRenderer(processName: "trapmux", names: nil))
        let sink = SubscriberSink(eventLoop: loop, limits: TrapMuxConfiguration.SubscriberSettings(), logger: logger)
        // As a single server runs by default: the replay ring (`[pair] ring`) first, then the subscribers.
        let ring = EventRing(capacity: ringCapacity, renderer: router.renderer)
        router.add(ring)
        sink.ring = ring
        router.add(sink)
        var channels: [EmbeddedChannel] = []
        for _ in 0..<subscriberCount {
            let channel = EmbeddedChannel(loop: loop)
            var request = #"{"subscribe": {"format": "json"}}"#
            if let fields { request = #"{"subscribe": {"format": "json", "fields": \#(fields)}}"# }
            guard case .subscribe(let subscription) = try SubscriberProtocol.parse(Array(request.utf8)) else {
                fatalError("not a subscription")
            }
            _ = sink.add(channel: channel, subscription: subscription)
            channels.append(channel)
        }
        subscribers = channels
        let engine = USMLocalEngine(engineID: [0x80, 0x00, 0x1F, 0x88, 0x04, 0x62, 0x65, 0x6E, 0x63, 0x68], boots: 1, at: 0)
        var targets: [RelayTarget] = []
        var sockets: [EmbeddedChannel] = []
        for index in 0..<relayCount {
            // v2c targets with one community: one encoding per trap, shared by all of them.
            var settings = TrapMuxConfiguration.RelaySettings(name: "up\(index)", target: "192.0.2.10:\(1162 + index)")
            settings.mode = .v2c
            let loop = self.loop
            let target = RelayTarget(
                settings: settings, address: try SocketAddress(ipAddress: "192.0.2.10", port: 1162 + index),
                eventLoop: loop, openSocket: { _ in loop.makeFailedFuture(ChannelError.ioOnClosedChannel) },
                reportFault: { _ in })
            let socket = EmbeddedChannel(loop: loop)
            try target.adopt(socket, as: .traffic)
            targets.append(target)
            sockets.append(socket)
        }
        relaySockets = sockets
        let relays = RelaySink(dispatcher: relayCount == 0 ? nil : RelayDispatcher(targets: targets, eventLoop: loop))
        router.add(relays)
        let parts = TrapListener.Parts(
            router: router, relays: relays, statistics: ReceiveStatistics(),
            admission: TrapAdmission(communities: [], rateLimit: nil),
            v3: SNMPv3Receiver(users: USMUserTable(), engine: engine, logger: logger))
        listener = EmbeddedChannel(handler: DatagramHandler(parts, logger: logger), loop: loop)
    }

    /// Feeds `count` copies of `datagram` in batches of 64, draining what the subscribers were written.
    func run(_ datagram: ByteBuffer, count: Int) throws {
        var sent = 0
        while sent < count {
            let batch = min(64, count - sent)
            for _ in 0..<batch {
                // As NIO's vector read hands a recvmmsg batch: every datagram read, then one read-complete.
                listener.pipeline.syncOperations.fireChannelRead(NIOAny(AddressedEnvelope(remoteAddress: sender, data: datagram)))
            }
            listener.pipeline.fireChannelReadComplete()
            for subscriber in subscribers {
                while try subscriber.readOutbound(as: ByteBuffer.self) != nil {}
            }
            for socket in relaySockets {
                while try socket.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) != nil {}
            }
            sent += batch
        }
    }
}

func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func measure(
    packet: String, bytes: [UInt8], subscribers: Int, fields: String?, relays: Int, ringCapacity: Int, count: Int
) throws -> Measurement {
    let rig = try Rig(subscriberCount: subscribers, fields: fields, relayCount: relays, ringCapacity: ringCapacity)
    let datagram = ByteBuffer(bytes: bytes)
    try rig.run(datagram, count: 2_000)  // warm-up: caches, queues, buffers at their steady size
    let allocationsBefore = trapmux_allocation_count()
    let start = threadCPUNanoseconds()
    try rig.run(datagram, count: count)
    let elapsed = threadCPUNanoseconds() - start
    let allocations = trapmux_allocation_count() - allocationsBefore
    return Measurement(
        packet: packet, subscribers: subscribers, nanosecondsPerTrap: Double(elapsed) / Double(count),
        allocationsPerTrap: Double(allocations) / Double(count))
}

// MARK: Command line

var arguments = Array(CommandLine.arguments.dropFirst())
var count = 200_000
var packetsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/bench/packets").path
var fields: String?
var only: String?
var subscriberCounts = [1, 4]
var relays = 0
var ringCapacity = PairSettings().ring
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--count": count = Int(arguments.removeFirst())!
    case "--packets": packetsDirectory = arguments.removeFirst()
    case "--fields": fields = arguments.removeFirst()
    case "--only": only = arguments.removeFirst()
    case "--subscribers": subscriberCounts = [Int(arguments.removeFirst())!]
    case "--relays": relays = Int(arguments.removeFirst())!
    case "--ring": ringCapacity = Int(arguments.removeFirst())!
    default:
        print(
            "usage: ReceivePathBenchmark [--count N] [--packets DIR] [--fields JSON-ARRAY] [--only PACKET] "
                + "[--subscribers N] [--relays N] [--ring N]")
        exit(64)
    }
}
let names = try FileManager.default.contentsOfDirectory(atPath: packetsDirectory)
    .filter { $0.hasSuffix(".bin") && (only == nil || $0 == only! + ".bin") }.sorted()
print("packet                 subs   ns/trap   allocations/trap")
for name in names {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: packetsDirectory).appendingPathComponent(name)))
    for subscribers in subscriberCounts {
        let result = try measure(
            packet: String(name.dropLast(4)), bytes: bytes, subscribers: subscribers, fields: fields, relays: relays, ringCapacity: ringCapacity,
            count: count)
        print(
            result.packet.padding(toLength: 22, withPad: " ", startingAt: 0),
            String(format: "%4d %9.0f %18.2f", result.subscribers, result.nanosecondsPerTrap, result.allocationsPerTrap))
    }
}
