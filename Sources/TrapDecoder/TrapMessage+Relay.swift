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
    public func relayed(
        community: [UInt8], source: IPv4Address?, requestID: Int32, asInform: Bool, replacingTrapAddress: Bool = false
    ) -> TrapMessage? {
        var varbinds: [VarBind]
        switch pdu {
        case .trapV1(let trap):
            guard let classification = classify(source: nil), let trapOID = classification.trapOID else { return nil }
            varbinds = [
                VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(trap.timeStamp)),
                VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)),
            ]
            varbinds += trap.varbinds
            varbinds.append(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(trap.agentAddress)))
            varbinds.append(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(self.community ?? [])))
            varbinds.append(VarBind(oid: WellKnownOID.snmpTrapEnterprise0, value: .objectIdentifier(trap.enterprise)))
        case .trapV2(let notification), .inform(let notification):
            varbinds = notification.varbinds
            if replacingTrapAddress {
                Self.replaceTrapAddress(in: &varbinds, with: source)
            }
            if let source, !varbinds.contains(where: { $0.oid == WellKnownOID.snmpTrapAddress0 }) {
                varbinds.append(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(source)))
            }
            if let original = self.community, !varbinds.contains(where: { $0.oid == WellKnownOID.snmpTrapCommunity0 }) {
                varbinds.append(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(original)))
            }
        case .encrypted:
            return nil
        }
        let notification = NotificationPDU(requestID: requestID, varbinds: varbinds)
        return TrapMessage(
            version: .v2c, community: community[...], pdu: asInform ? .inform(notification) : .trapV2(notification))
    }

    /// snmpTrapAddress.0 set to `source` where it stands, or removed when there is no IPv4 source to put there.
    private static func replaceTrapAddress(in varbinds: inout [VarBind], with source: IPv4Address?) {
        guard let index = varbinds.firstIndex(where: { $0.oid == WellKnownOID.snmpTrapAddress0 }) else { return }
        varbinds.removeAll { $0.oid == WellKnownOID.snmpTrapAddress0 }
        if let source {
            varbinds.insert(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(source)), at: index)
        }
    }
}
