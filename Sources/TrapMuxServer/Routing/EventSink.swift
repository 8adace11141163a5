import NIOCore
import TrapDecoder
import TrapEvents

/// Where the router hands events: the subscribers and the relays today; the process pair's checkpointing and
/// metrics plug in the same way.
///
/// Everything runs on the router's event loop: a sink never blocks and never waits for its readers.
package protocol EventSink: AnyObject {
    /// A trap event; `routed` renders it once per format for all sinks together.
    func accept(_ routed: inout RoutedTrap)
    /// A process event (101–106); sinks that carry only traps ignore it.
    func accept(_ routed: inout RoutedProcessEvent)
    /// The end of a receive batch: send what it gathered.
    func flush()
}

/// A trap event on its way through the sinks, with its lines rendered on first use into the router's arena and
/// then shared: each event is encoded once per format and shape however many subscribers want it.
package struct RoutedTrap {
    package let event: TrapEvent
    private let renderer: EventRenderer
    private let arena: LineArena

    /// `arena` is the router's; it is cleared for this event.
    package init(_ event: consuming TrapEvent, renderer: EventRenderer, arena: LineArena) {
        self.event = event
        self.renderer = renderer
        self.arena = arena
        arena.begin()
    }

    /// Hands `body` the event as one line (newline included) in `format`, with `parts` in JSON (text has no
    /// parts); the bytes are valid during the call only.
    package func withLine<R>(_ format: EventFormat, parts: EventParts = .all, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        arena.withLine(of: event, format: format, parts: parts, renderer: renderer, body)
    }

    /// The event as one line in a buffer of its own, for sinks that keep it.
    package func line(_ format: EventFormat, parts: EventParts = .all) -> ByteBuffer {
        withLine(format, parts: parts) { ByteBuffer(bytes: $0) }
    }
}

/// A process event on its way through the sinks, numbered in the same sequence as traps.
package struct RoutedProcessEvent {
    package let event: ProcessEvent
    package let seq: UInt64
    /// When it happened, in microseconds since the Unix epoch.
    package let at: Int64
    private let renderer: EventRenderer
    private var json: ByteBuffer?
    private var text: ByteBuffer?

    package init(_ event: ProcessEvent, seq: UInt64, at: Int64, renderer: EventRenderer) {
        self.event = event
        self.seq = seq
        self.at = at
        self.renderer = renderer
    }

    /// The event as one line (newline included) in `format`.
    package mutating func line(_ format: EventFormat) -> ByteBuffer {
        switch format {
        case .json:
            if let json { return json }
            let line = ByteBuffer(bytes: event.jsonLine(processName: renderer.processName, seq: seq, at: at))
            json = line
            return line
        case .text:
            if let text { return text }
            let line = ByteBuffer(string: event.text(name: renderer.processName) + "\n")
            text = line
            return line
        }
    }
}

/// What rendering needs besides the event: the process name in every text, and the MIB names.
package struct EventRenderer: Sendable {
    package let processName: String
    package let names: MIBNames?

    package init(processName: String, names: MIBNames?) {
        self.processName = processName
        self.names = names
    }
}
