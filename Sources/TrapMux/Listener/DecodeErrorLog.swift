import Logging
import NIOCore
import TrapDecoder

/// Logs malformed datagrams at most once per source address per minute, so a broken or hostile sender
/// cannot flood the log; every one of them is still counted.
struct DecodeErrorLog {
    private var lastLogged: [[UInt8]: NIODeadline] = [:]
    private let interval = TimeAmount.minutes(1)
    /// Sources remembered at most; beyond that, expired entries are forgotten.
    private let capacity = 4096

    /// Logs `error` for `source` unless that source was logged less than a minute ago.
    mutating func record(_ error: TrapDecodingError, from source: SourceAddress, length: Int, logger: Logger) {
        let now = NIODeadline.now()
        if let last = lastLogged[source.ip], now - last < interval {
            return
        }
        if lastLogged.count >= capacity {
            lastLogged = lastLogged.filter { now - $0.value < interval }
            if lastLogged.count >= capacity { lastLogged.removeAll(keepingCapacity: true) }
        }
        lastLogged[source.ip] = now
        logger.warning(
            "malformed datagram (logged once per source per minute; all are counted)",
            metadata: [
                "trap.source": "\(source.description)", "error.kind": "\(error.kind.rawValue)",
                "error.offset": "\(error.offset)", "error.reason": "\(error.reason)", "datagram.length": "\(length)",
            ])
    }
}
