import Foundation
import Logging
import TrapDecoder
import TrapEvents

/// How log records are written to standard error.
package enum LogFormat: String, CaseIterable, Sendable {
    /// `TIME LEVEL LABEL: MESSAGE key=value …`, one line per record.
    case text
    /// One JSON object per line: `{"time":…,"level":…,"label":…,"message":…,"metadata":{…}}`.
    case json
}

/// Writes each log record as one line on standard error, with every string escaped.
///
/// Log lines carry text from outside: subscriber names, paths, communities, error texts. Written raw, a newline
/// in a subscriber's name would start a line of the attacker's choosing (a fake event 101), and a NUL would make
/// the log binary; so control characters, backslashes and invalid UTF-8 are written as `\xNN` in text lines (the
/// escaping `tail` uses) and as JSON escapes in JSON lines.
package struct LogLineHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package let label: String
    package let format: LogFormat
    private let stream: LogStream

    /// A handler writing to standard error in `format`.
    package init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
        self.stream = LogStream.standardError
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let merged = event.metadata.map { self.metadata.merging($0) { $1 } } ?? self.metadata
        let line: [UInt8]
        switch format {
        case .text: line = textLine(event.level, event.message.description, merged)
        case .json: line = jsonLine(event.level, event.message.description, merged)
        }
        stream.write(line)
    }

    private func textLine(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) -> [UInt8] {
        var out = OutputBytes(capacity: 128 + message.utf8.count)
        RFC3339.append(microseconds: WallClock.microseconds(), to: &out)
        out.append(contentsOf: Array(" \(level.rawValue) ".utf8))
        TextEscaping.appendEscaped(Array(label.utf8), to: &out)
        out.append(contentsOf: Array(": ".utf8))
        TextEscaping.appendEscaped(Array(message.utf8), to: &out)
        for key in metadata.keys.sorted() {
            out.append(UInt8(ascii: " "))
            TextEscaping.appendEscaped(Array(key.utf8), to: &out)
            out.append(UInt8(ascii: "="))
            Self.appendValue(Array("\(metadata[key]!)".utf8), to: &out)
        }
        out.append(0x0A)
        return out.array
    }

    /// A metadata value, escaped, and quoted when it holds a space, quote or '=' so that key=value stays parseable.
    private static func appendValue(_ value: [UInt8], to out: inout OutputBytes) {
        let needsQuotes = value.isEmpty || value.contains { $0 == 0x20 || $0 == 0x22 || $0 == 0x3D }
        guard needsQuotes else {
            TextEscaping.appendEscaped(value, to: &out)
            return
        }
        out.append(0x22)
        // Quotes inside become \x22, so the value ends at the next bare quote.
        var escaped = OutputBytes(capacity: value.count + 8)
        TextEscaping.appendEscaped(value, to: &escaped)
        for octet in escaped.array {
            if octet == 0x22 {
                out.append(contentsOf: Array("\\x22".utf8))
            } else {
                out.append(octet)
            }
        }
        out.append(0x22)
    }

    private func jsonLine(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + message.utf8.count)
        writer.beginObject()
        writer.key("time")
        writer.timestamp(microseconds: WallClock.microseconds())
        writer.field("level", level.rawValue)
        writer.field("label", label)
        writer.field("message", message)
        if !metadata.isEmpty {
            writer.key("metadata")
            writer.beginObject()
            for key in metadata.keys.sorted() {
                writer.key(named: key)
                writer.string("\(metadata[key]!)")
            }
            writer.endObject()
        }
        writer.endObject()
        return writer.line()
    }
}

/// Standard error, written one whole line per call under a lock, so that records from several threads never
/// interleave within a line.
package final class LogStream: @unchecked Sendable {
    package static let standardError = LogStream(descriptor: 2)

    private let descriptor: Int32
    private let lock = NSLock()

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    package func write(_ line: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

extension Logger {
    /// trapmux's logger: one escaped line per record on standard error, at `level`, in `format`.
    package static func trapmux(level: Logger.Level, format: LogFormat = .text) -> Logger {
        var logger = Logger(label: "trapmux") { label in LogLineHandler(label: label, format: format) }
        logger.logLevel = level
        return logger
    }
}
