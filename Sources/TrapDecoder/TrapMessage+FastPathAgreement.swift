extension TrapMessage {
    /// Whether the fast path keeps its contract on `datagram`: it declines, or it returns exactly what the
    /// reference decoder returns (which must then accept). For the differential tests and the fuzz target.
    package static func fastPathAgrees(on datagram: ArraySlice<UInt8>) -> Bool {
        guard let fast = try? SinglePassDecoder.decode(datagram) else { return true }
        guard let reference = try? TrapMessage(referenceDecoding: datagram) else { return false }
        return fast == reference
    }
}
