extension TrapMessage {
    /// Whether the fast path keeps its contract on `datagram`: it declines, or it returns exactly what the
    /// reference decoder returns (which must then accept). For the differential tests and the fuzz target.
    ///
    /// The reference decoder's variable-bindings are compared as it read them (an array), so that each element the
    /// fast path's view yields (`VarBindList`) is checked against an independent reading. Whatever the reference
    /// decoder accepts, its own view must yield the same elements too.
    package static func fastPathAgrees(on datagram: ArraySlice<UInt8>) -> Bool {
        let materialized = try? TrapMessage(referenceDecoding: datagram, materializingVarBinds: true)
        if let materialized {
            guard let view = try? TrapMessage(referenceDecoding: datagram), view == materialized else { return false }
        }
        guard let fast = try? SinglePassDecoder.decode(datagram) else { return true }
        return fast == materialized
    }
}
