import NIOCore

/// Cuts what a subscriber connection sends into request lines (SPEC §6: newline-delimited, at most 64 KiB each).
///
/// It holds complete lines until the connection takes them and at most `maximumLineLength` bytes of the line being
/// written: a line that grows past the limit shows as `partialLineTooLong` at once, while requests are held back
/// too, so a client can never make the server buffer more than one line (plus one socket read). Each byte is
/// searched for a newline once, however the line arrives.
package struct RequestLineFramer {
    /// What `next()` found.
    package enum Next: Equatable {
        /// A line without its newline (and without a carriage return before it).
        case line([UInt8])
        /// A line longer than the limit.
        case tooLong
        /// No complete line yet.
        case none
    }

    package let maximumLineLength: Int
    private var pending = ByteBuffer()
    /// Stream positions (bytes since the connection opened) of the newlines not yet taken.
    private var newlines = CircularBuffer<Int>()
    /// Bytes taken from the stream as lines so far, and bytes appended: the stream positions of `pending`'s ends.
    private var taken = 0
    private var received = 0
    /// The peer closed its side: what is pending is the last it sends, a final line needs no newline.
    package private(set) var inputClosed = false

    package init(maximumLineLength: Int = SubscriberProtocol.maximumLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes held: complete lines not yet taken and the line being written.
    package var bufferedBytes: Int { pending.readableBytes }

    /// Whether a complete line waits to be taken.
    package var hasCompleteLine: Bool { !newlines.isEmpty || (inputClosed && pending.readableBytes > 0) }

    /// Whether the line being written (after the last newline) is already longer than the limit.
    package var partialLineTooLong: Bool {
        received - (newlines.last.map { $0 + 1 } ?? taken) > maximumLineLength
    }

    /// Takes bytes from the connection.
    package mutating func append(_ bytes: inout ByteBuffer) {
        for (offset, byte) in bytes.readableBytesView.enumerated() where byte == 0x0A {
            newlines.append(received + offset)
        }
        received += bytes.readableBytes
        pending.writeBuffer(&bytes)
    }

    /// The peer closed its side.
    package mutating func closeInput() {
        inputClosed = true
    }

    /// The next request line, if one is complete.
    package mutating func next() -> Next {
        let line: [UInt8]
        if let newline = newlines.popFirst() {
            line = pending.readBytes(length: newline - taken) ?? []
            pending.moveReaderIndex(forwardBy: 1)
            taken = newline + 1
        } else if partialLineTooLong {
            return .tooLong
        } else if inputClosed && pending.readableBytes > 0 {
            line = pending.readBytes(length: pending.readableBytes) ?? []
            taken = received
        } else {
            return .none
        }
        guard line.count <= maximumLineLength else { return .tooLong }
        return .line(line.last == 0x0D ? Array(line.dropLast()) : line)
    }

    /// Frees the space of the lines taken.
    package mutating func compact() {
        pending.discardReadBytes()
    }
}
