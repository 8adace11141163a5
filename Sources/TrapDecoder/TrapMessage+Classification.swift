extension TrapMessage {
    /// Classifies the notification into a generic trap and computes both RFC 3584 views.
    ///
    /// `source` is the sender's IP address as text; it stands in for the agent address of a v2 notification
    /// without snmpTrapAddress.0. Anyone can write snmpTrapAddress.0, so a receiver believes it only from senders it
    /// trusts to forward (`trustsTrapAddress`; true suits callers that know no source): otherwise the agent address
    /// is `source`, and the claim stays among the varbinds and in `untrustedTrapAddress`.
    /// Returns nil for an encrypted SNMPv3 message, which cannot be read.
    public func classify(source: String?, trustsTrapAddress: Bool = true) -> TrapClassification? {
        switch pdu {
        case .trapV1(let trap):
            return Self.classify(trap)
        case .trapV2(let notification), .inform(let notification):
            return Self.classify(notification, source: source, trustsTrapAddress: trustsTrapAddress)
        case .encrypted:
            return nil
        }
    }

    private static func classify(_ trap: TrapV1PDU) -> TrapClassification {
        let generic = GenericTrap(rawValue: trap.genericTrap) ?? .enterpriseSpecific
        let trapOID =
            generic == .enterpriseSpecific
            ? trap.enterprise.appending(0).appending(UInt32(truncatingIfNeeded: trap.specificTrap))
            : generic.standardTrapOID
        return TrapClassification(
            generic: generic, genericTrapNumber: trap.genericTrap, enterprise: trap.enterprise,
            specificTrap: Int64(trap.specificTrap), agentAddress: trap.agentAddress.description,
            timeStamp: trap.timeStamp, trapOID: trapOID, varbinds: trap.varbinds)
    }

    private static func classify(
        _ notification: NotificationPDU, source: String?, trustsTrapAddress: Bool
    ) -> TrapClassification {
        var timeStamp: UInt32 = 0
        var trapOID: OID?
        var trapEnterprise: OID?
        var trapAddress: IPv4Address?
        // The v1 view leaves out the sysUpTime.0 and snmpTrapOID.0 that were used. They are nearly always the first
        // two varbinds, and then it is the rest of the list (from a decoder, a view: no array is made).
        var upTimeIndex: Int?
        var trapOIDIndex: Int?
        var index = 0
        for varbind in notification.varbinds {
            defer { index += 1 }
            switch (varbind.oid, varbind.value) {
            case (WellKnownOID.sysUpTime0, .timeTicks(let ticks)) where upTimeIndex == nil:
                timeStamp = ticks
                upTimeIndex = index
            case (WellKnownOID.snmpTrapOID0, .objectIdentifier(let oid)) where trapOID == nil:
                trapOID = oid
                trapOIDIndex = index
            case (WellKnownOID.snmpTrapEnterprise0, .objectIdentifier(let oid)):
                trapEnterprise = trapEnterprise ?? oid
            case (WellKnownOID.snmpTrapAddress0, .ipAddress(let address)):
                trapAddress = trapAddress ?? address
            default:
                break
            }
        }
        let omitted = (upTimeIndex == nil ? 0 : 1) + (trapOIDIndex == nil ? 0 : 1)
        let varbinds: VarBindList
        if upTimeIndex.map({ $0 < omitted }) ?? true, trapOIDIndex.map({ $0 < omitted }) ?? true {
            varbinds = notification.varbinds.droppingFirst(omitted)
        } else {
            // Constants for the escaping filter: capturing the vars would box them on every call, on the fast path too.
            let (skippedUpTime, skippedTrapOID) = (upTimeIndex, trapOIDIndex)
            varbinds = VarBindList(
                notification.varbinds.enumerated().lazy
                    .filter { $0.offset != skippedUpTime && $0.offset != skippedTrapOID }.map(\.element))
        }

        var generic = GenericTrap.enterpriseSpecific
        var enterprise = trapEnterprise ?? WellKnownOID.snmpTraps
        var specific: Int64 = 0
        if let trapOID {
            // The last arc is a UInt32 from the datagram: snmpTraps.2147483648 must not trap in Int32(_:).
            if trapOID.count == WellKnownOID.snmpTraps.count + 1, trapOID.hasPrefix(WellKnownOID.snmpTraps),
                let arc = Int32(exactly: trapOID.lastArc),
                let standard = GenericTrap(rawValue: arc - 1), standard != .enterpriseSpecific
            {
                generic = standard
            } else if let parent = trapOID.droppingLast() {
                specific = Int64(trapOID.lastArc)
                // RFC 3584 §3.2: an enterprise trap OID is enterprise.0.specific; drop the 0 as well.
                enterprise = parent.lastArc == 0 ? (parent.droppingLast() ?? parent) : parent
            }
        }
        let believed = trustsTrapAddress ? trapAddress : nil
        return TrapClassification(
            generic: generic, genericTrapNumber: generic.rawValue, enterprise: enterprise, specificTrap: specific,
            agentAddress: believed?.description ?? source ?? "0.0.0.0", timeStamp: timeStamp, trapOID: trapOID,
            varbinds: varbinds, untrustedTrapAddress: trustsTrapAddress ? nil : trapAddress)
    }
}
