/// Both views of a notification (RFC 3584): the SNMPv1 fields and the SNMPv2 notification OID.
///
/// For a v1 trap the v1 fields come from the PDU and the trap OID is derived (§3.1); for a v2 notification
/// the trap OID is snmpTrapOID.0 and the v1 fields are derived (§3.2).
public struct TrapClassification: Hashable, Sendable {
    /// The generic trap 0–6 that names the event.
    public var generic: GenericTrap
    /// generic-trap as a v1 trap carried it (may lie outside 0–6); for v2 notifications `generic`'s number.
    public var genericTrapNumber: Int32
    /// The v1 enterprise.
    public var enterprise: OID
    /// The v1 specific-trap (for v2, the last arc of an enterprise-specific trap OID).
    public var specificTrap: Int64
    /// The v1 agent address: agent-addr, snmpTrapAddress.0, or the datagram's source (may be IPv6).
    public var agentAddress: String
    /// sysUpTime of the sender in hundredths of a second (time-stamp or sysUpTime.0).
    public var timeStamp: UInt32
    /// The SNMPv2 notification OID (snmpTrapOID.0); nil only for a v2 notification that lacks it.
    public var trapOID: OID?
    /// The varbinds of the v1 view: a v2 notification's varbinds without sysUpTime.0 and snmpTrapOID.0.
    public var varbinds: VarBindList
    /// snmpTrapAddress.0 as claimed by a sender that is no trusted forwarder: set aside for the datagram's source
    /// (`agentAddress`), so that a relay does not pass it on as the agent's address either. nil when believed or
    /// absent.
    public var untrustedTrapAddress: IPv4Address? = nil
}
