/// A notification as a relay sends it on (RFC 3584 §3.1; the rules are `TrapMessage.relayed`'s), described rather
/// than built: its varbinds are produced one by one while they are encoded or hashed, so relaying a trap makes no
/// array of them. `message` builds the whole message where one is needed (SNMPv3 relays, tests).
public struct RelayedNotification {
    /// The community the relayed message carries.
    public let community: [UInt8]
    /// The request-id the relay gives it.
    public let requestID: Int32
    /// Whether it is sent as an InformRequest rather than an SNMPv2-Trap.
    public let asInform: Bool
    /// How many varbinds it has.
    public let count: Int
    let shape: Shape

    /// Where the varbinds come from.
    enum Shape {
        /// sysUpTime.0, snmpTrapOID.0, the trap's varbinds, snmpTrapAddress.0, snmpTrapCommunity.0,
        /// snmpTrapEnterprise.0.
        case fromV1(TrapV1PDU, trapOID: OID, community: ArraySlice<UInt8>)
        /// The notification's varbinds, the first snmpTrapAddress.0 replaced by `replacement` (and further ones left
        /// out) when `replacing`; then `appendedAddress` and `appendedCommunity` when set.
        case fromV2(
            VarBindList, replacing: Bool, replacement: IPv4Address?, appendedAddress: IPv4Address?,
            appendedCommunity: ArraySlice<UInt8>?)
    }

    /// The relayed form of `message` (see `TrapMessage.relayed` for the arguments); nil for an encrypted SNMPv3
    /// message, or an SNMPv1 trap whose trap OID cannot be derived. `trapOID` is the v1 trap's derived OID when the
    /// caller has classified it already.
    public init?(
        _ message: TrapMessage, community: [UInt8], source: IPv4Address?, requestID: Int32, asInform: Bool,
        replacingTrapAddress: Bool = false, trapOID knownTrapOID: OID? = nil
    ) {
        self.community = community
        self.requestID = requestID
        self.asInform = asInform
        switch message.pdu {
        case .trapV1(let trap):
            guard let trapOID = knownTrapOID ?? message.classify(source: nil)?.trapOID else { return nil }
            shape = .fromV1(trap, trapOID: trapOID, community: message.community ?? [])
            count = trap.varbinds.count + 5
        case .trapV2(let notification), .inform(let notification):
            var addresses = 0
            var hasCommunity = false
            for varbind in notification.varbinds {
                if varbind.oid == WellKnownOID.snmpTrapAddress0 { addresses += 1 }
                hasCommunity = hasCommunity || varbind.oid == WellKnownOID.snmpTrapCommunity0
            }
            let replacing = replacingTrapAddress && addresses > 0
            let appendedAddress = addresses > 0 ? nil : source
            let appendedCommunity = hasCommunity ? nil : message.community
            shape = .fromV2(
                notification.varbinds, replacing: replacing, replacement: source, appendedAddress: appendedAddress,
                appendedCommunity: appendedCommunity)
            var count = notification.varbinds.count
            if replacing { count -= addresses - (source == nil ? 0 : 1) }
            if appendedAddress != nil { count += 1 }
            if appendedCommunity != nil { count += 1 }
            self.count = count
        case .encrypted:
            return nil
        }
    }

    /// The varbinds, in order.
    public var varbinds: Varbinds { Varbinds(shape: shape) }

    /// Whether the varbinds are the received notification's exactly (only the request-id and community change).
    public var keepsVarbinds: Bool {
        guard case .fromV2(let original, let replacing, _, let address, let community) = shape else { return false }
        return !replacing && address == nil && community == nil && original.count == count
    }

    /// The whole message: an SNMPv2c SNMPv2-Trap or InformRequest.
    public var message: TrapMessage {
        let list: VarBindList
        if case .fromV2(let original, _, _, _, _) = shape, keepsVarbinds {
            list = original
        } else {
            var array: [VarBind] = []
            array.reserveCapacity(count)
            array.append(contentsOf: varbinds)
            list = VarBindList(array)
        }
        let notification = NotificationPDU(requestID: requestID, varbinds: list)
        return TrapMessage(
            version: .v2c, community: community[...], pdu: asInform ? .inform(notification) : .trapV2(notification))
    }

    /// Appends the BER encoding of `message` to `writer`, without building it.
    public func encode(into writer: inout BERWriter) {
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(SNMPVersion.v2c.rawValue))
            message.primitive(BERTag.octetString, community)
            message.constructed(asInform ? BERTag.informRequest : BERTag.trapV2) { body in
                body.integer(Int64(requestID))
                body.integer(0)
                body.integer(0)
                body.constructed(BERTag.sequence) { list in
                    writeVarbinds(into: &list)
                }
            }
        }
    }

    /// The varbinds' encodings, one after another. The received ones are copied as they came where none is
    /// replaced (the decoder validated them, and copying beats decoding each value to encode it again); so a
    /// value the sender encoded with redundant octets is passed on with them, as any value is passed on unchanged.
    private func writeVarbinds(into list: inout BERWriter) {
        switch shape {
        case .fromV1(let trap, let trapOID, let community):
            list.varbind(VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(trap.timeStamp)))
            list.varbind(VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID)))
            Self.write(trap.varbinds, into: &list)
            list.varbind(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(trap.agentAddress)))
            list.varbind(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(community)))
            list.varbind(VarBind(oid: WellKnownOID.snmpTrapEnterprise0, value: .objectIdentifier(trap.enterprise)))
        case .fromV2(let original, let replacing, _, let address, let community):
            if replacing {
                // The one shape that changes a received varbind: each is produced and written.
                for varbind in varbinds.prefix(count - (address == nil ? 0 : 1) - (community == nil ? 0 : 1)) {
                    list.varbind(varbind)
                }
            } else {
                Self.write(original, into: &list)
            }
            if let address {
                list.varbind(VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(address)))
            }
            if let community {
                list.varbind(VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(community)))
            }
        }
    }

    private static func write(_ varbinds: VarBindList, into list: inout BERWriter) {
        if let encoded = varbinds.validatedEncoding {
            list.appendEncoded(encoded)
        } else {
            for varbind in varbinds {
                list.varbind(varbind)
            }
        }
    }

    /// Hashes the varbinds as `VarBindList` hashes an equal list (count, then the elements).
    public func hashVarbinds(into hasher: inout Hasher) {
        hasher.combine(count)
        for varbind in varbinds {
            hasher.combine(varbind)
        }
    }

    /// The relayed varbinds, produced one by one.
    public struct Varbinds: Sequence {
        let shape: Shape

        /// An iterator over the varbinds.
        public func makeIterator() -> Iterator {
            switch shape {
            case .fromV1(let trap, _, _): return Iterator(shape: shape, step: 0, original: trap.varbinds.makeIterator())
            case .fromV2(let list, _, _, _, _): return Iterator(shape: shape, step: 0, original: list.makeIterator())
            }
        }

        /// Walks the steps of the shape: the fixed varbinds around the original list.
        public struct Iterator: IteratorProtocol {
            let shape: Shape
            var step: Int
            var original: VarBindList.Iterator
            var replaced = false

            /// The next varbind, or nil after the last.
            public mutating func next() -> VarBind? {
                switch shape {
                case .fromV1(let trap, let trapOID, let community):
                    return nextFromV1(trap, trapOID: trapOID, community: community)
                case .fromV2(_, let replacing, let replacement, let address, let community):
                    return nextFromV2(replacing: replacing, replacement: replacement, address: address, community: community)
                }
            }

            private mutating func nextFromV1(_ trap: TrapV1PDU, trapOID: OID, community: ArraySlice<UInt8>) -> VarBind? {
                while true {
                    switch step {
                    case 0:
                        step = 1
                        return VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(trap.timeStamp))
                    case 1:
                        step = 2
                        return VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(trapOID))
                    case 2:
                        if let varbind = original.next() { return varbind }
                        step = 3
                    case 3:
                        step = 4
                        return VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(trap.agentAddress))
                    case 4:
                        step = 5
                        return VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(community))
                    case 5:
                        step = 6
                        return VarBind(oid: WellKnownOID.snmpTrapEnterprise0, value: .objectIdentifier(trap.enterprise))
                    default:
                        return nil
                    }
                }
            }

            private mutating func nextFromV2(
                replacing: Bool, replacement: IPv4Address?, address: IPv4Address?, community: ArraySlice<UInt8>?
            ) -> VarBind? {
                while true {
                    switch step {
                    case 0:
                        guard let varbind = original.next() else {
                            step = 1
                            continue
                        }
                        guard replacing, varbind.oid == WellKnownOID.snmpTrapAddress0 else { return varbind }
                        defer { replaced = true }
                        if let replacement, !replaced {
                            return VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(replacement))
                        }
                    case 1:
                        step = 2
                        if let address { return VarBind(oid: WellKnownOID.snmpTrapAddress0, value: .ipAddress(address)) }
                    case 2:
                        step = 3
                        if let community { return VarBind(oid: WellKnownOID.snmpTrapCommunity0, value: .octetString(community)) }
                    default:
                        return nil
                    }
                }
            }
        }
    }
}
