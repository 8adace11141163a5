/// One variable binding of a notification: an object instance and its value.
public struct VarBind: Hashable, Sendable {
    /// The object instance, e.g. ifIndex.2 = 1.3.6.1.2.1.2.2.1.1.2.
    public var oid: OID
    /// Its value.
    public var value: SNMPValue

    /// Creates a varbind.
    public init(oid: OID, value: SNMPValue) {
        self.oid = oid
        self.value = value
    }
}
