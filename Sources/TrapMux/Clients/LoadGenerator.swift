#if canImport(Glibc)
import Glibc
#endif
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// Sends one datagram many times to one address, as fast as asked and no longer than allowed.
///
/// A plain blocking loop on the calling thread, shaped like the C generator in the benchmark kit: the NIO channel it
/// replaces handed every 64-datagram batch to an event loop and waited for it, allocating a buffer per datagram, and
/// stopped at 65–78k datagrams/s where the C loop reaches 110–180k/s. The socket is connected, so the kernel
/// resolves the route once and nothing can be sent anywhere but the target. The copies, their `iovec`s and the
/// `mmsghdr` array are laid out once; between `sendmmsg` calls only the request-ids change.
///
/// An authenticated SNMPv3 message cannot be patched (its HMAC covers every octet), so it comes as a `DatagramPool`:
/// distinct datagrams built ahead and sent in turn, their `iovec`s pointed at the next ones before each call.
struct LoadGenerator {
    /// What a run sends.
    enum Payload {
        /// One datagram; the request-id of an SNMPv2 trap or inform in it is renumbered for every copy.
        case datagram([UInt8])
        /// Datagrams that cannot be patched, sent in turn and rebuilt now and then.
        case pool(DatagramPool)
    }

    /// Distinct datagrams, sent in turn, for messages whose every octet is authenticated (SNMPv3 authNoPriv and
    /// authPriv; noAuthNoPriv too, so every v3 level is sent alike).
    ///
    /// Building 1,024 SHA-256/AES messages took 20–30 ms of CPU in a release build (encoding, encryption, HMAC, and
    /// reading the message back to place the HMAC), some 25 µs each: built per datagram, they would cap the sender
    /// near 40k/s. Cycled from a pool, the sender sent 307–427k authPriv traps/s into a bare recvmmsg sink, as many
    /// as v2c (319–487k/s in the same alternating runs). Pools are rebuilt every `refreshInterval` so that the engine
    /// time they carry stays well inside a receiver's 150-second window (RFC 3414 §3.2 step 7b); a rebuild stalls the
    /// loop for those milliseconds, about what the pacer's catch-up allowance absorbs.
    struct DatagramPool {
        /// The most datagrams in one pool: enough that a 256-datagram batch never repeats one, few enough to build in
        /// milliseconds.
        static let maximumCount = 1_024
        /// The most octets one pool may take, for large traps.
        static let maximumBytes = 16 << 20

        /// How many datagrams each build makes.
        let count: Int
        /// Time between builds.
        let refreshInterval: Duration
        /// Builds `count` datagrams, numbered from the given datagram number (for their request-ids).
        let build: (_ firstNumber: Int) throws -> [[UInt8]]
    }

    /// How a run went.
    struct Outcome {
        let sent: Int
        /// The size of the datagrams sent (of the first pool, for a pool).
        let bytes: Int
        let seconds: Double
        /// `sendmmsg` calls that found no room (ENOBUFS, EAGAIN) and were repeated after a pause.
        let retries: Int
        /// Sends that failed with ECONNREFUSED: an ICMP port-unreachable came back for an earlier datagram, so nothing
        /// listens on the target port. They are counted rather than fatal so a receiver may start or restart mid-run.
        let refused: Int
        /// `sendmmsg` calls that sent only part of their batch. The kernel reports an error only when a call's first
        /// datagram fails; a later failure (mostly ECONNREFUSED, the ICMP drawn by the datagrams just sent) ends the
        /// call without saying why. The rest go out in the next call, so against a closed port this is the count
        /// that grows, not `refused`.
        let cutShort: Int
        var rate: Double { seconds > 0 ? Double(sent) / seconds : 0 }
    }

    /// Datagrams per `sendmmsg` call when unpaced: past ~64 the syscall cost is amortised and the kernel's per-datagram
    /// work dominates; 256 keeps the copies within a few hundred KiB even for large traps.
    static let maximumBatch = 256
    /// SO_SNDBUF requested (the kernel caps it at net.core.wmem_max): a small buffer makes a blocking sender stall
    /// while the receiver's softirq drains it.
    static let sendBufferBytes: Int32 = 4 << 20
    /// How long the pacer may fall behind and still catch up at full speed. Enough to ride out the scheduler
    /// preempting the sender on a shared machine without losing rate; a longer stall (SIGSTOP, swapping) is not
    /// made up for with a burst.
    static let catchUpNanoseconds: UInt64 = 20_000_000
    /// The pause after ENOBUFS/EAGAIN: long enough for the device queue to drain somewhat, short against a batch.
    static let retryPause = timespec(tv_sec: 0, tv_nsec: 20_000)

    let target: HostPort
    let payload: Payload
    let count: Int
    /// Datagrams per second; 0 sends as fast as the socket takes them.
    let rate: Int
    /// The run stops after this long even if `count` was not reached.
    let maximumDuration: Duration

    /// Datagrams per `sendmmsg` call: about one millisecond's worth when paced, so that at 10k/s the receiver sees
    /// bursts of 10 rather than of 256 every 25 ms.
    var batch: Int {
        rate > 0 ? min(Self.maximumBatch, max(1, rate / 1000)) : Self.maximumBatch
    }

    /// Blocks the calling thread for the whole run: `trapmux send` has nothing else to do meanwhile, and staying on
    /// one thread is what makes it fast. A pool's first build happens before the clock starts.
    func run() throws -> Outcome {
        let sendMultiple = try Self.sendmmsg()
        let client = try UDPClient(to: target)
        var bufferSize = Self.sendBufferBytes
        _ = setsockopt(client.fd, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))

        let batch = self.batch
        var copies = Copies(batch: batch)
        let pool = try copies.loadFirst(payload)
        var built = pool?.count ?? 0
        let bytes = copies.lengths.first ?? 0
        let messages = MessageHeaders(batch: batch, copies: copies)
        let start = Self.monotonicNanoseconds()
        let deadline = start + UInt64(max(0, maximumDuration / .nanoseconds(1)))
        let refreshNanoseconds = pool.map { UInt64(max(1, $0.refreshInterval / .nanoseconds(1))) }
        var nextRefresh = start + (refreshNanoseconds ?? 0)
        var pacer = Pacer(rate: rate, batch: batch, start: start)
        var sent = 0, retries = 0, refused = 0, cutShort = 0
        while sent < count {
            var now = Self.monotonicNanoseconds()
            guard now < deadline else { break }
            if let pool, let refreshNanoseconds, now >= nextRefresh {
                copies.load(try pool.build(built))
                built += pool.count
                now = Self.monotonicNanoseconds()
                nextRefresh = now + refreshNanoseconds
            }
            let due = min(batch, count - sent)
            if let wait = pacer.wait(for: due, now: now) {
                Self.sleep(until: min(now + wait, deadline))
                continue
            }
            // Datagram number `sent + index` goes out as element `index` of this call, so a retried one keeps its id.
            copies.prepare(due, from: sent, vectors: messages.vectors)
            let result = sendMultiple(client.fd, messages.headers, UInt32(due), 0)
            if result >= 0 {
                if Int(result) < due { cutShort += 1 }
                sent += Int(result)
                pacer.sent(Int(result))
                continue
            }
            switch errno {
            case EINTR:
                continue
            case ENOBUFS, EAGAIN:
                retries += 1
                var pause = Self.retryPause
                nanosleep(&pause, nil)
            case ECONNREFUSED:
                refused += 1
            default:
                throw UDPClient.Failure(description: "sendmmsg to \(target): \(String(cString: strerror(errno)))")
            }
        }
        let end = Self.monotonicNanoseconds()
        return Outcome(
            sent: sent, bytes: bytes, seconds: Double(end - start) / 1e9, retries: retries, refused: refused,
            cutShort: cutShort)
    }

    /// The C library's sendmmsg: Glibc's module map leaves it out (it needs _GNU_SOURCE); libc has had it since 2.14.
    private static func sendmmsg() throws -> @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32 {
        typealias SendMultiple = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
        guard let symbol = dlsym(nil, "sendmmsg") else { throw UDPClient.Failure(description: "no sendmmsg in libc") }
        return unsafeBitCast(symbol, to: SendMultiple.self)
    }

    /// The iovec and mmsghdr arrays of one sendmmsg call, element `index` pointing at copy `index`.
    private struct MessageHeaders: ~Copyable {
        let vectors: UnsafeMutablePointer<iovec>
        let headers: UnsafeMutableRawPointer

        init(batch: Int, copies: borrowing Copies) {
            // struct mmsghdr is a struct msghdr followed by `unsigned int msg_len`, padded to msghdr's alignment.
            let alignment = MemoryLayout<msghdr>.alignment
            let stride = (MemoryLayout<msghdr>.size + MemoryLayout<UInt32>.size + alignment - 1) / alignment * alignment
            vectors = .allocate(capacity: batch)
            headers = .allocate(byteCount: stride * batch, alignment: alignment)
            headers.initializeMemory(as: UInt8.self, repeating: 0, count: stride * batch)
            for index in 0..<batch {
                (vectors + index).initialize(to: copies.vector(index))
                var header = msghdr()
                header.msg_iov = vectors + index
                header.msg_iovlen = 1
                (headers + index * stride).storeBytes(of: header, as: msghdr.self)
            }
        }

        deinit {
            vectors.deallocate()
            headers.deallocate()
        }
    }

    /// A token bucket for paced runs: starts with one datagram due, fills at `rate`, holds at most the catch-up
    /// allowance (a sender that fell behind catches up in a burst no longer than that).
    private struct Pacer {
        let rate: Int
        let capacity: Double
        var credit = 1.0
        var refilled: UInt64

        init(rate: Int, batch: Int, start: UInt64) {
            self.rate = rate
            capacity = max(Double(batch), Double(rate) * Double(LoadGenerator.catchUpNanoseconds) / 1e9)
            refilled = start
        }

        /// Nil when `due` datagrams may go now; else how long to sleep until all of them are due (not just the
        /// first: fewer, fuller sendmmsg calls).
        mutating func wait(for due: Int, now: UInt64) -> UInt64? {
            guard rate > 0 else { return nil }
            credit = min(capacity, credit + Double(now - refilled) * Double(rate) / 1e9)
            refilled = now
            guard credit < Double(due) else { return nil }
            return UInt64((Double(due) - credit) * 1e9 / Double(rate)) + 1
        }

        mutating func sent(_ count: Int) {
            credit -= Double(count)
        }
    }

    /// The request-id of datagram number `number` of a run: 0x01000000…0x7FFFFFFF, always four octets and positive.
    static func requestID(ofDatagram number: Int) -> Int32 {
        Int32(0x0100_0000 + number % 0x7F00_0000)
    }

    /// The octets the `iovec`s point at: `batch` copies of one datagram whose request-id is renumbered in place, or
    /// the datagrams of a pool, laid out one after the other.
    private struct Copies: ~Copyable {
        /// Loads the run's first datagrams; returns the pool that makes the next ones, nil for one fixed datagram.
        mutating func loadFirst(_ payload: Payload) throws -> DatagramPool? {
            switch payload {
            case .datagram(let datagram):
                fill(with: datagram)
                return nil
            case .pool(let datagrams):
                load(try datagrams.build(0))
                return datagrams
            }
        }

        let batch: Int
        private var storage = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 16)
        private(set) var offsets: [Int] = [0]
        private(set) var lengths: [Int] = [0]
        /// Where the request-id sits in each copy of a single datagram; nil for a pool or a datagram without one.
        private var requestID: Int?

        init(batch: Int) {
            self.batch = batch
        }

        deinit {
            storage.deallocate()
        }

        /// `batch` copies of `datagram` (one when it has no request-id: every iovec can point at it).
        mutating func fill(with datagram: [UInt8]) {
            let range = LoadGenerator.requestIDRange(in: datagram)
            load(Array(repeating: datagram, count: range == nil ? 1 : batch))
            requestID = range
        }

        /// These datagrams, replacing what was there.
        mutating func load(_ datagrams: [[UInt8]]) {
            requestID = nil
            let total = datagrams.reduce(0) { $0 + $1.count }
            storage.deallocate()
            storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, total), alignment: 16)
            offsets = []
            lengths = []
            var offset = 0
            for datagram in datagrams {
                datagram.withUnsafeBytes { (storage + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                offsets.append(offset)
                lengths.append(datagram.count)
                offset += datagram.count
            }
            if datagrams.isEmpty {
                offsets = [0]
                lengths = [0]
            }
        }

        /// The iovec of element `index` of a call.
        func vector(_ index: Int) -> iovec {
            let which = index % offsets.count
            return iovec(iov_base: storage + offsets[which], iov_len: lengths[which])
        }

        /// Makes the first `due` iovecs send datagrams number `first`… of the run: renumbers the copies' request-ids,
        /// or points the iovecs at the pool's datagrams in turn (after a rebuild, at its new storage).
        func prepare(_ due: Int, from first: Int, vectors: UnsafeMutablePointer<iovec>) {
            if let requestID {
                for index in 0..<due {
                    let id = UInt32(LoadGenerator.requestID(ofDatagram: first + index))
                    (storage + offsets[index] + requestID).storeBytes(of: id.bigEndian, as: UInt32.self)
                }
            } else {
                for index in 0..<due {
                    vectors[index] = vector(first + index)
                }
            }
        }
    }

    /// Where the 4-octet request-id of an SNMPv2 trap or inform sits in `datagram`; nil for v1 or other lengths.
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

    /// CLOCK_MONOTONIC, the clock `sleep(until:)` waits on (ContinuousClock is CLOCK_BOOTTIME on Linux).
    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// An absolute wake-up time, so oversleeping once does not push back every later batch.
    private static func sleep(until nanoseconds: UInt64) {
        var wake = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, nil)
    }
}
