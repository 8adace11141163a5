import TrapDecoder

/// Something that turns numeric OIDs into MIB names (`IF-MIB::ifIndex.2`); nil when the OID is not known.
package protocol MIBNames: Sendable {
    func name(of oid: OID) -> String?
}
