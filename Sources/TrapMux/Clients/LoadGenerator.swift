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
struct LoadGenerator {
    /// How a run went.
    struct Outcome {
        let sent: Int
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
    let datagram: [UInt8]
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
    /// one thread is what makes it fast.
    func run() throws(UDPClient.Failure) -> Outcome {
        // Glibc's module map leaves out sendmmsg (it needs _GNU_SOURCE); the C library has had it since 2.14.
        typealias SendMultiple = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32
        guard let symbol = dlsym(nil, "sendmmsg") else { throw UDPClient.Failure(description: "no sendmmsg in libc") }
        let sendMultiple = unsafeBitCast(symbol, to: SendMultiple.self)

        let client = try UDPClient(to: target)
        var bufferSize = Self.sendBufferBytes
        _ = setsockopt(client.fd, SOL_SOCKET, SO_SNDBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))

        let batch = self.batch
        let requestID = Self.requestIDRange(in: datagram)
        // Without a request-id every copy would be identical: all the iovecs point at one.
        let copies = requestID == nil ? 1 : batch
        let length = datagram.count
        let data = UnsafeMutableRawPointer.allocate(byteCount: max(1, length * copies), alignment: 16)
        let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        // struct mmsghdr is a struct msghdr followed by `unsigned int msg_len`, padded to msghdr's alignment.
        let headerAlignment = MemoryLayout<msghdr>.alignment
        let headerStride =
            (MemoryLayout<msghdr>.size + MemoryLayout<UInt32>.size + headerAlignment - 1) / headerAlignment
            * headerAlignment
        let headers = UnsafeMutableRawPointer.allocate(byteCount: headerStride * batch, alignment: headerAlignment)
        defer {
            data.deallocate()
            vectors.deallocate()
            headers.deallocate()
        }
        headers.initializeMemory(as: UInt8.self, repeating: 0, count: headerStride * batch)
        for copy in 0..<copies {
            let destination = UnsafeMutableRawBufferPointer(start: data + copy * length, count: length)
            datagram.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        for index in 0..<batch {
            (vectors + index).initialize(to: iovec(iov_base: data + (index % copies) * length, iov_len: length))
            var header = msghdr()
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            (headers + index * headerStride).storeBytes(of: header, as: msghdr.self)
        }

        let start = Self.monotonicNanoseconds()
        let deadline = start + UInt64(max(0, maximumDuration / .nanoseconds(1)))
        // Token bucket: starts with one datagram due, fills at `rate`, holds at most the catch-up allowance.
        let capacity = max(Double(batch), Double(rate) * Double(Self.catchUpNanoseconds) / 1e9)
        var credit = 1.0
        var refilled = start
        var sent = 0
        var retries = 0
        var refused = 0
        var cutShort = 0
        while sent < count {
            let now = Self.monotonicNanoseconds()
            guard now < deadline else { break }
            let due = min(batch, count - sent)
            if rate > 0 {
                credit = min(capacity, credit + Double(now - refilled) * Double(rate) / 1e9)
                refilled = now
                if credit < Double(due) {
                    // Sleep until the whole batch is due, not just its first datagram: fewer, fuller sendmmsg calls.
                    let wait = UInt64((Double(due) - credit) * 1e9 / Double(rate)) + 1
                    Self.sleep(until: min(now + wait, deadline))
                    continue
                }
            }
            if let requestID {
                // Request-ids run 0x01000000...0x7FFFFFFF (always four octets, always positive) by datagram number,
                // so a retried datagram keeps its id.
                for index in 0..<due {
                    let id = UInt32(0x0100_0000 + (sent + index) % 0x7F00_0000)
                    (data + index * length).storeBytes(of: id.bigEndian, toByteOffset: requestID, as: UInt32.self)
                }
            }
            let result = sendMultiple(client.fd, headers, UInt32(due), 0)
            if result >= 0 {
                if Int(result) < due { cutShort += 1 }
                sent += Int(result)
                credit -= Double(result)
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
            sent: sent, seconds: Double(end - start) / 1e9, retries: retries, refused: refused, cutShort: cutShort)
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
