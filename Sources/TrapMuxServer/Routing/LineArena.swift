import NIOCore
import TrapEvents

/// Where the router renders the lines of the event it is routing: each format and shape once, kept until the next
/// event. Reused event after event, so rendering allocates nothing once the buffers have grown to the size of the
/// events. Confined to the router's event loop.
package final class LineArena {
    /// The lines of the current event, one after another.
    private var bytes = OutputBytes(capacity: 64 << 10)
    /// Room for the operator text on its way into a JSON line.
    private var textScratch = OutputBytes(capacity: 16 << 10)
    /// Which line is where in `bytes`: a handful at most (one per format and shape that some sink asked for).
    private var lines: [(format: EventFormat, parts: EventParts, range: Range<Int>)] = []

    package init() {
        lines.reserveCapacity(8)
    }

    /// Forgets the previous event's lines.
    package func begin() {
        bytes.removeAll()
        lines.removeAll(keepingCapacity: true)
    }

    /// Hands `body` the event's line in `format` with `parts` (JSON only), rendering it on first use. The bytes
    /// are valid during the call only: a sink that keeps a line copies it.
    package func withLine<R>(
        of event: borrowing TrapEvent, format: EventFormat, parts requested: EventParts, renderer: EventRenderer,
        _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        let parts = format == .json ? requested : .all
        let range: Range<Int>
        if let rendered = lines.first(where: { $0.format == format && $0.parts == parts }) {
            range = rendered.range
        } else {
            let start = bytes.count
            switch format {
            case .json:
                event.appendJSONLine(
                    processName: renderer.processName, names: renderer.names, parts: parts, to: &bytes,
                    textScratch: &textScratch)
            case .text:
                event.appendTextLine(processName: renderer.processName, names: renderer.names, to: &bytes)
            }
            range = start..<bytes.count
            lines.append((format, parts, range))
        }
        return bytes.withBytes { all in body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[range]))) }
    }
}
