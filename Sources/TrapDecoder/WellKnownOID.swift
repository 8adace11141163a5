/// The OIDs that RFC 3584's v1/v2 notification mapping and the trap receiver rely on.
public enum WellKnownOID {
    /// sysUpTime.0 (RFC 3418): the first varbind of every SNMPv2 notification.
    public static let sysUpTime0 = OID(uncheckedEncoded: [0x2B, 6, 1, 2, 1, 1, 3, 0])
    /// snmpTrapOID.0: the second varbind, naming the notification.
    public static let snmpTrapOID0 = OID(uncheckedEncoded: [0x2B, 6, 1, 6, 3, 1, 1, 4, 1, 0])
    /// snmpTrapEnterprise.0: the v1 enterprise carried in a translated notification.
    public static let snmpTrapEnterprise0 = OID(uncheckedEncoded: [0x2B, 6, 1, 6, 3, 1, 1, 4, 3, 0])
    /// snmpTraps: the parent of coldStart(1) … egpNeighborLoss(6).
    public static let snmpTraps = OID(uncheckedEncoded: [0x2B, 6, 1, 6, 3, 1, 1, 5])
    /// snmpTrapAddress.0 (SNMP-COMMUNITY-MIB): the original agent address of a forwarded trap.
    public static let snmpTrapAddress0 = OID(uncheckedEncoded: [0x2B, 6, 1, 6, 3, 18, 1, 3, 0])
    /// snmpTrapCommunity.0 (SNMP-COMMUNITY-MIB): the original community of a forwarded trap.
    public static let snmpTrapCommunity0 = OID(uncheckedEncoded: [0x2B, 6, 1, 6, 3, 18, 1, 4, 0])
}
