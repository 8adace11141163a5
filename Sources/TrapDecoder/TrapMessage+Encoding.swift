extension TrapMessage {
    /// Encodes an SNMPv1 or SNMPv2c message in BER with minimal lengths; nil for SNMPv3 messages.
    ///
    /// `TrapMessage(decoding: m.encoded()!) == m` for every v1 and v2c message.
    public func encoded() -> [UInt8]? {
        var writer = BERWriter()
        guard encode(into: &writer) else { return nil }
        return writer.bytes
    }

    /// Appends the encoding of `encoded()` to `writer`; false (and nothing written) for SNMPv3 messages.
    ///
    /// With a writer that is emptied and used again (`removeAll(keepingCapacity:)`), re-encoding allocates nothing
    /// once the buffer has grown to the size of the messages.
    @discardableResult
    public func encode(into writer: inout BERWriter) -> Bool {
        guard version != .v3, let community else { return false }
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(version.rawValue))
            message.primitive(BERTag.octetString, community)
            switch pdu {
            case .trapV1(let trap):
                message.constructed(BERTag.trapV1) { body in
                    body.oid(trap.enterprise)
                    body.value(.ipAddress(trap.agentAddress))
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
        return true
    }

    /// The Response-PDU that acknowledges this inform (RFC 3416 §4.2.7): same version, community,
    /// request-id and varbinds, error-status and error-index zero. Nil when this is not an SNMPv2c inform.
    public func informResponse() -> [UInt8]? {
        guard case .inform(let notification) = pdu else { return nil }
        var writer = BERWriter(capacity: 64 + notification.varbinds.count * 32)
        guard encodeInformResponse(into: &writer) else { return nil }
        return writer.bytes
    }

    /// Appends the encoding of `informResponse()` to `writer`; false (and nothing written) when this is not an
    /// SNMPv2c inform.
    @discardableResult
    public func encodeInformResponse(into writer: inout BERWriter) -> Bool {
        guard version == .v2c, let community, case .inform(let notification) = pdu else { return false }
        writer.constructed(BERTag.sequence) { message in
            message.integer(Int64(version.rawValue))
            message.primitive(BERTag.octetString, community)
            Self.write(
                NotificationPDU(requestID: notification.requestID, varbinds: notification.varbinds),
                tag: BERTag.response, into: &message)
        }
        return true
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
