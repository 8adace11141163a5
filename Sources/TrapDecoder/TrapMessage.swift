/// One decoded SNMP notification message: SNMPv1 Trap, SNMPv2c Trap or Inform, or SNMPv3 with either.
public struct TrapMessage: Hashable, Sendable {
    /// The message's version.
    public var version: SNMPVersion
    /// The community octets of a v1 or v2c message (may be any bytes); nil for v3.
    public var community: ArraySlice<UInt8>?
    /// The v3 header; nil for v1 and v2c.
    public var v3: SNMPv3Header?
    /// The notification itself.
    public var pdu: PDU

    /// The notification carried by a message.
    public enum PDU: Hashable, Sendable {
        case trapV1(TrapV1PDU)
        case trapV2(NotificationPDU)
        case inform(NotificationPDU)
        /// An SNMPv3 scopedPDU encrypted with USM privacy; trapmux holds no keys to read it.
        case encrypted(ArraySlice<UInt8>)

        /// The name used in JSON: `trap-v1`, `trap-v2`, `inform` or `encrypted`.
        public var typeName: String {
            switch self {
            case .trapV1: return "trap-v1"
            case .trapV2: return "trap-v2"
            case .inform: return "inform"
            case .encrypted: return "encrypted"
            }
        }
    }

    /// Creates a message.
    public init(version: SNMPVersion, community: ArraySlice<UInt8>?, v3: SNMPv3Header? = nil, pdu: PDU) {
        self.version = version
        self.community = community
        self.v3 = v3
        self.pdu = pdu
    }

    /// The variable-bindings of the PDU; empty when encrypted.
    public var varbinds: [VarBind] {
        switch pdu {
        case .trapV1(let trap): return trap.varbinds
        case .trapV2(let notification), .inform(let notification): return notification.varbinds
        case .encrypted: return []
        }
    }
}
