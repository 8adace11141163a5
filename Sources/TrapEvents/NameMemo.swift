import TrapDecoder

/// The MIB names of one event's OIDs, each looked up once.
///
/// An event shows most of its OIDs twice (JSON fields and operator text), and every lookup in the shared
/// MIB tree takes a lock and hashes the OID; a handful of entries searched in order costs less.
package struct NameMemo {
    private let names: MIBNames?
    private var entries: [(oid: OID, name: String?)] = []

    /// A memo in front of `names`; with nil every OID stays numeric.
    package init(_ names: MIBNames?) {
        self.names = names
    }

    /// The MIB name of `oid`, or nil when it has none.
    package mutating func name(of oid: OID) -> String? {
        guard let names else { return nil }
        for entry in entries where entry.oid == oid {
            return entry.name
        }
        let name = names.name(of: oid)
        if entries.isEmpty { entries.reserveCapacity(16) }
        entries.append((oid, name))
        return name
    }
}
