import Logging
import NIOCore
import NIOEmbedded
import SNMPSecurity
import TrapDecoder
import TrapEvents

import TrapMuxServer

/// One subscriber connection driven in process: the real `SubscriberHandler` on an `EmbeddedChannel`, fed a
/// script of byte chunks (a stream split at the fuzzer's points) mixed with what else happens to a connection:
/// the client stops or starts reading, events arrive, time passes, the client half-closes or hangs up.
///
/// The script's first octet sets limits (see `Limits`); then each octet is an operation (see `Operation`).
/// Chunks reach the handler only when it asked to read, as NIO delivers them, so backpressure is real.
enum StreamHarness {
    static func run(script: [UInt8]) {
        guard let first = script.first else { return }
        let connection = HarnessConnection(limits: Limits(first))
        var reader = ScriptReader(script.dropFirst())
        while connection.channel.isActive, let operation = reader.next() {
            connection.perform(operation)
            connection.checkInvariants()
        }
        connection.close()
    }

    /// Limits from one octet: bit 0 no room for subscribers, bit 1 no room for unsubscribed connections, bits 2–3
    /// the overflow policy, bit 4 a memory budget of 4 KiB, bits 5–7 the subscriber's default queue (1–8 lines).
    struct Limits {
        var settings = TrapMuxConfiguration.SubscriberSettings()
        var unsubscribedConnections = 4

        init(_ octet: UInt8) {
            settings.maxSubscribers = octet & 1 == 0 ? 4 : 0
            unsubscribedConnections = octet & 2 == 0 ? 4 : 0
            let policies = OverflowPolicy.allCases
            settings.overflowPolicy = policies[Int(octet >> 2 & 3) % policies.count]
            settings.memoryBudgetBytes = octet & 16 == 0 ? 64 << 20 : 4096
            settings.defaultQueue = Int(octet >> 5) + 1
        }
    }

    /// What one script octet (and the octets it takes) does.
    enum Operation {
        /// The client sends these bytes (octets 0x00–0x7F: the next 1–128 octets).
        case send([UInt8])
        /// The client sends one octet repeated (0x80–0x9F: 4–128 KiB of the next octet): lines past the limit.
        case sendFiller(UInt8, count: Int)
        /// The client's socket fills up or drains (0xA0–0xAF).
        case writable(Bool)
        /// Traps arrive (0xB0–0xBF: 1–16).
        case traps(Int)
        /// The client reads what was written to it (0xC0–0xC7).
        case clientReads
        /// The kernel's counters for pending `stats` answers arrive (0xC8–0xCF).
        case statsComplete
        /// The client closes its sending side (0xD0–0xD7).
        case halfClose
        /// More than `first_line_timeout` passes (0xD8–0xDF).
        case timePasses
        /// A process event arrives (0xE0–0xEF).
        case processEvent
        /// The client hangs up (0xF0–0xFF).
        case hangUp
    }

    struct ScriptReader {
        var rest: ArraySlice<UInt8>

        init(_ rest: ArraySlice<UInt8>) {
            self.rest = rest
        }

        mutating func next() -> Operation? {
            guard let octet = rest.popFirst() else { return nil }
            switch octet {
            case 0x00...0x7F:
                let chunk = rest.prefix(Int(octet) + 1)
                rest = rest.dropFirst(chunk.count)
                return .send(Array(chunk))
            case 0x80...0x9F:
                return .sendFiller(rest.popFirst() ?? 0x20, count: (Int(octet & 0x1F) + 1) * 4096)
            case 0xA0...0xAF: return .writable(octet & 8 != 0)
            case 0xB0...0xBF: return .traps(Int(octet & 0x0F) + 1)
            case 0xC0...0xC7: return .clientReads
            case 0xC8...0xCF: return .statsComplete
            case 0xD0...0xD7: return .halfClose
            case 0xD8...0xDF: return .timePasses
            case 0xE0...0xEF: return .processEvent
            default: return .hangUp
            }
        }
    }
}
