extension TrapMessage {
    /// The notification as an SNMPv2c SNMPv2-Trap (or InformRequest) for an upstream manager, per RFC 3584 §3.1,
    /// keeping who sent it: nil for an encrypted SNMPv3 message.
    ///
    /// From SNMPv1: sysUpTime.0 = time-stamp, snmpTrapOID.0 = the derived trap OID, the original varbinds, then
    /// snmpTrapAddress.0 = agent-addr, snmpTrapCommunity.0 = the original community, snmpTrapEnterprise.0 =
    /// enterprise. From SNMPv2c/v3: the original varbinds, with snmpTrapAddress.0 = `source` (an IPv4 sender;
    /// IpAddress cannot carry IPv6) and snmpTrapCommunity.0 appended unless already present. With
    /// `replacingTrapAddress` (a claim from a sender that is no trusted forwarder) a snmpTrapAddress.0 already
    /// present is `source` too, or is left out for an IPv6 sender: the upstream must not take the claim for the truth.
    ///
    /// A notification that needs nothing appended keeps its list as it is (a view of the datagram); otherwise the
    /// new list is one array of its final size. `RelayedNotification` encodes the same without building it.
    public func relayed(
        community: [UInt8], source: IPv4Address?, requestID: Int32, asInform: Bool, replacingTrapAddress: Bool = false
    ) -> TrapMessage? {
        RelayedNotification(
            self, community: community, source: source, requestID: requestID, asInform: asInform,
            replacingTrapAddress: replacingTrapAddress)?.message
    }
}
