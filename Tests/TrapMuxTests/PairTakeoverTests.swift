import Foundation
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents

#if canImport(Glibc)
import Glibc
#endif

/// Takeovers that must lose nothing: a killed primary's unacknowledged informs, and a subscriber that follows
/// across a SIGKILL under a trickle of traps (SPEC §14, issue 15).
@Suite(.serialized) struct PairTakeoverTests {
    @Test func theBackupResendsTheInformsThePrimaryWaitedFor() async throws {
        // A manager that never acknowledges: the informs stay outstanding in the primary's relay checkpoint.
        let manager = try UDPSink()
        let pair = try RunningPair(
            extra: """
                [[relay]]
                name = "nms"
                target = "127.0.0.1:\(manager.port)"
                mode = "inform"
                timeout = "30s"
                retries = 2

                """)
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        try pair.send(TestTraps.numbered(1...3))
        let first = try Self.requestIDs(manager.receive(count: 3, idle: 5))
        #expect(first.count == 3)
        // Five relay checkpoints per heartbeat (200 ms): a later one holds the three informs.
        try await Task.sleep(for: .milliseconds(400))
        primary.signal(SIGKILL)
        try await pair.expect(backup, logs: "reason: Primary-Aborted")
        let resent = try Self.requestIDs(manager.receive(count: 3, idle: 5))
        #expect(Set(resent) == Set(first))
        let stats = try await RunningPairStats.stats(pair.socketPath)
        let relay = (stats["relays"] as? [[String: Any]])?.first
        #expect(relay?["retransmitted"] as? Int == 3)
        #expect(relay?["sent"] as? Int == 0)
    }

    @Test func aFollowingSubscriberMissesNothingWhenThePrimaryIsKilled() async throws {
        let pair = try RunningPair()
        let primary = try await pair.startPrimary()
        let backup = try await pair.startBackup()
        let tail = try TrapMuxBinary.start([
            "tail", "--socket", pair.socketPath, "--format", "json", "--follow", "--no-process-events",
            "--count", "400",
        ])
        defer { tail.signal(SIGKILL) }
        try await Task.sleep(for: .milliseconds(300))
        // A trickle: 20 traps every 25 ms, the primary killed half-way.
        for burst in 0..<20 {
            if burst == 10 { primary.signal(SIGKILL) }
            let first = Int32(burst * 20 + 1)
            try pair.send(TestTraps.numbered(first...(first + 19)))
            try await Task.sleep(for: .milliseconds(25))
        }
        // Primary-Aborted, or Heartbeat-Lost when a loaded machine stalled the primary first: either way nothing
        // may be missing.
        try await pair.expect(backup, logs: "Process-Takeover")
        let result = await tail.wait(timeout: .seconds(20))
        #expect(result.exited(0), "\(result)")
        let ids = result.stdout.split(separator: "\n").compactMap { line -> Int? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["request_id"] as? Int
        }
        #expect(ids == Array(1...400))
        #expect(result.stderr.contains("reconnecting (resuming after seq"))
        #expect(!result.stdout.contains("not_retained"))
    }

    private static func requestIDs(_ datagrams: [[UInt8]]) throws -> [Int32] {
        try datagrams.map { datagram in
            guard case .inform(let pdu) = try TrapMessage(decoding: datagram).pdu else {
                throw RunningServer.ServerFailure(description: "not an inform")
            }
            return pdu.requestID
        }
    }
}

/// `stats` from a subscriber socket, decoded.
enum RunningPairStats {
    static func stats(_ socket: String) async throws -> [String: Any] {
        let result = try await TrapMuxBinary.run(["stats", "--socket", socket], timeout: .seconds(10))
        guard result.exited(0), let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let stats = object["stats"] as? [String: Any]
        else { throw RunningServer.ServerFailure(description: "stats: \(result)") }
        return stats
    }
}
