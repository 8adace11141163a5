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
    /// new list is one array of its final size.
    public func relayed(
        community: [UInt8], source: IPv4Address?, requestID: Int32, asInform: Bool, replacingTrapAddress: Bool = false
    ) -> TrapMessage? {
        let varbinds: VarBindList
        switch pdu {
        case .trapV1(let trap):
            guard let classification = classify(source: nil), let trapOID = classification.trapOID else { return nil }
            var array: [VarBind] = []
            array.reserveCapacity(trap.varbinds.count + 5)
            array.append(VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(trap.timeStamp)))
            array.append(VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)))
            array.append(contentsOf: trap.varbinds)
            array.append(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(trap.agentAddress)))
            array.append(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(self.community ?? [])))
            array.append(VarBind(oid: WellKnownOID.snmpTrapEnterprise0, value: .objectIdentifier(trap.enterprise)))
            varbinds = VarBindList(array)
        case .trapV2(let notification), .inform(let notification):
            var hasAddress = false
            var hasCommunity = false
            for varbind in notification.varbinds {
                hasAddress = hasAddress || varbind.oid == WellKnownOID.snmpTrapAddress0
                hasCommunity = hasCommunity || varbind.oid == WellKnownOID.snmpTrapCommunity0
            }
            let replacing = replacingTrapAddress && hasAddress
            let address = hasAddress ? nil : source
            let original = hasCommunity ? nil : self.community
            guard address != nil || original != nil || replacing else {
                varbinds = notification.varbinds
                break
            }
            var array: [VarBind] = []
            array.reserveCapacity(notification.varbinds.count + 2)
            if replacing {
                Self.append(notification.varbinds, to: &array, replacingTrapAddressWith: source)
            } else {
                array.append(contentsOf: notification.varbinds)
            }
            if let address {
                array.append(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(address)))
            }
            if let original {
                array.append(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(original)))
            }
            varbinds = VarBindList(array)
        case .encrypted:
            return nil
        }
        let notification = NotificationPDU(requestID: requestID, varbinds: varbinds)
        return TrapMessage(
            version: .v2c, community: community[...], pdu: asInform ? .inform(notification) : .trapV2(notification))
    }

    /// `varbinds` with the first snmpTrapAddress.0 set to `source` where it stands and any further one left out, or
    /// every one left out when there is no IPv4 source to put there.
    private static func append(
        _ varbinds: VarBindList, to array: inout [VarBind], replacingTrapAddressWith source: IPv4Address?
    ) {
        var replaced = false
        for varbind in varbinds {
            guard varbind.oid == WellKnownOID.snmpTrapAddress0 else {
                array.append(varbind)
                continue
            }
            if let source, !replaced {
                array.append(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(source)))
            }
            replaced = true
        }
    }
}
