import Logging
import NIOCore
import TrapDecoder
import TrapEvents

/// Logs malformed datagrams at most once per source IP address per minute, so that a broken or hostile sender
/// cannot flood the log; every one of them is still counted.
///
/// Per address rather than per address and port: a sender that picks a new source port per datagram (most SNMP
/// libraries do) is still one sender.
package struct DecodeErrorLog {
    private var throttle = ReportThrottle<[UInt8]>(interval: .minutes(1))

    /// Logs `error` for `source` unless that source address was logged less than a minute ago.
    package mutating func record(_ error: TrapDecodingError, from source: SourceAddress, length: Int, logger: Logger) {
        guard throttle.allows(source.ip) else { return }
        logger.warning(
            "malformed datagram (logged once per source address per minute; all are counted)",
            metadata: [
                "trap.source": "\(source.description)", "error.kind": "\(error.kind.rawValue)",
                "error.offset": "\(error.offset)", "error.reason": "\(error.reason)", "datagram.length": "\(length)",
            ])
    }
}
