import TrapDecoder

/// A scopedPDU to send (RFC 3412 §6): the context and an SNMPv2 PDU.
public struct USMScopedPDU: Hashable, Sendable {
    /// The SNMPv2 PDU types a USM message may carry, by their identifier octets (RFC 3416 §3).
    public enum PDUType: UInt8, Sendable, CaseIterable {
        case getRequest = 0xA0
        case getNextRequest = 0xA1
        case response = 0xA2
        case setRequest = 0xA3
        case getBulkRequest = 0xA5
        case informRequest = 0xA6
        case trapV2 = 0xA7
        case report = 0xA8
    }

    /// contextEngineID.
    public var contextEngineID: [UInt8]
    /// contextName.
    public var contextName: [UInt8]
    /// The PDU's type.
    public var type: PDUType
    /// request-id, error-status, error-index and varbinds; every SNMPv2 PDU has this shape.
    public var pdu: NotificationPDU

    /// Creates a scopedPDU.
    public init(contextEngineID: [UInt8], contextName: [UInt8] = [], type: PDUType, pdu: NotificationPDU) {
        self.contextEngineID = contextEngineID
        self.contextName = contextName
        self.type = type
        self.pdu = pdu
    }

    /// The BER encoding, what `init(decoding:)` reads.
    public func encoded() -> [UInt8] {
        var writer = BERWriter(capacity: 64 + pdu.varbinds.count * 32)
        write(into: &writer)
        return writer.bytes
    }

    /// Writes the scopedPDU SEQUENCE.
    func write(into writer: inout BERWriter) {
        writer.constructed(BERTag.sequence) { scoped in
            scoped.primitive(BERTag.octetString, contextEngineID)
            scoped.primitive(BERTag.octetString, contextName)
            scoped.constructed(type.rawValue) { body in
                body.integer(Int64(pdu.requestID))
                body.integer(Int64(pdu.errorStatus))
                body.integer(Int64(pdu.errorIndex))
                body.varbinds(pdu.varbinds)
            }
        }
    }
}
