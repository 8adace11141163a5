/// An SNMPv3 header on the heap, so that `TrapMessage` stays small (see `TrapMessage.v3Storage`).
///
/// Equal and hashed by the header it holds, so messages compare as if the header were stored inline.
final class SNMPv3HeaderBox: Hashable, Sendable {
    let header: SNMPv3Header

    init(_ header: SNMPv3Header) {
        self.header = header
    }

    static func == (lhs: SNMPv3HeaderBox, rhs: SNMPv3HeaderBox) -> Bool {
        lhs.header == rhs.header
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(header)
    }
}
