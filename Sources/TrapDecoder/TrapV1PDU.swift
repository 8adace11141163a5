/// The SNMPv1 Trap-PDU of RFC 1157 §4.1.6.
public struct TrapV1PDU: Hashable, Sendable {
    /// The sender's enterprise (sysObjectID, or the trap's subtree).
    public var enterprise: OID
    /// The agent-addr field (IPv4 only in SNMPv1).
    public var agentAddress: IPv4Address
    /// generic-trap as on the wire; RFC 1157 defines 0–6.
    public var genericTrap: Int32
    /// specific-trap, meaningful when genericTrap is 6.
    public var specificTrap: Int32
    /// sysUpTime of the sender when the trap was made, in hundredths of a second.
    public var timeStamp: UInt32
    /// The variable-bindings.
    public var varbinds: VarBindList

    /// Creates a Trap-PDU.
    public init(
        enterprise: OID, agentAddress: IPv4Address, genericTrap: Int32, specificTrap: Int32, timeStamp: UInt32,
        varbinds: VarBindList
    ) {
        self.enterprise = enterprise
        self.agentAddress = agentAddress
        self.genericTrap = genericTrap
        self.specificTrap = specificTrap
        self.timeStamp = timeStamp
        self.varbinds = varbinds
    }
}
