extension TrapMessage {
    /// Encodes an SNMPv1 or SNMPv2c message in BER with minimal lengths; nil for SNMPv3 messages.
    ///
    /// `TrapMessage(decoding: m.encoded()!) == m` for every v1 and v2c message.
    public func encoded() -> [UInt8]? {
        guard version != .v3, let community else { return nil }
        var writer = BERWriter()
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(version.rawValue))
            message.primitive(BERTag.octetString, community)
            switch pdu {
            case .trapV1(let trap):
                message.constructed(BERTag.trapV1) { body in
                    body.oid(trap.enterprise)
                    body.primitive(BERTag.ipAddress, trap.agentAddress.octets)
                    body.integer(Int64(trap.genericTrap))
                    body.integer(Int64(trap.specificTrap))
                    body.unsigned(UInt64(trap.timeStamp), tag: BERTag.timeTicks)
                    body.varbinds(trap.varbinds)
                }
            case .trapV2(let notification):
                Self.write(notification, tag: BERTag.trapV2, into: &message)
            case .inform(let notification):
                Self.write(notification, tag: BERTag.informRequest, into: &message)
            case .encrypted:
                break
            }
        }
        return writer.bytes
    }

    /// The Response-PDU that acknowledges this inform (RFC 3416 §4.2.7): same version, community,
    /// request-id and varbinds, error-status and error-index zero. Nil when this is not an SNMPv2c inform.
    public func informResponse() -> [UInt8]? {
        guard version == .v2c, let community, case .inform(let notification) = pdu else { return nil }
        var writer = BERWriter(capacity: 64 + notification.varbinds.count * 32)
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(version.rawValue))
            message.primitive(BERTag.octetString, community)
            Self.write(
                NotificationPDU(requestID: notification.requestID, varbinds: notification.varbinds),
                tag: BERTag.response, into: &message)
        }
        return writer.bytes
    }

    private static func write(_ notification: NotificationPDU, tag: UInt8, into writer: inout BERWriter) {
        writer.constructed(tag) { body in
            body.integer(Int64(notification.requestID))
            body.integer(Int64(notification.errorStatus))
            body.integer(Int64(notification.errorIndex))
            body.varbinds(notification.varbinds)
        }
    }
}
