/// One decoded SNMP notification message: SNMPv1 Trap, SNMPv2c Trap or Inform, or SNMPv3 with either.
public struct TrapMessage: Hashable, Sendable {
    /// The message's version.
    public var version: SNMPVersion
    /// The community octets of a v1 or v2c message (may be any bytes); nil for v3.
    public var community: ArraySlice<UInt8>?
    /// The v3 header; nil for v1 and v2c.
    public var v3: SNMPv3Header? {
        get { v3Storage?.header }
        set { v3Storage = newValue.map(SNMPv3HeaderBox.init) }
    }
    /// The notification itself.
    public var pdu: PDU

    /// The v3 header, boxed: with its optional views it takes over 200 bytes, which every v1 and v2c message
    /// would otherwise carry (and copy on every move) as an empty optional. The box is immutable, so messages
    /// keep value semantics; the setter of `v3` makes a new box.
    private var v3Storage: SNMPv3HeaderBox?

    /// The notification carried by a message.
    public enum PDU: Hashable, Sendable {
        case trapV1(TrapV1PDU)
        case trapV2(NotificationPDU)
        case inform(NotificationPDU)
        /// An SNMPv3 scopedPDU encrypted with USM privacy; trapmux holds no keys to read it.
        case encrypted(ArraySlice<UInt8>)

        /// The name used in JSON: `trap-v1`, `trap-v2`, `inform` or `encrypted`.
        public var typeName: String { typeLiteral.description }

        /// The name as a literal, for renderers that write it without a String.
        public var typeLiteral: StaticString {
            switch self {
            case .trapV1: return "trap-v1"
            case .trapV2: return "trap-v2"
            case .inform: return "inform"
            case .encrypted: return "encrypted"
            }
        }
    }

    /// A v1 or v2c message, for the fast path (`SinglePassDecoder`).
    ///
    /// Through the memberwise initializer (the public initializer is in an extension so that it stays
    /// available): inlined, the public one made the compiler copy the finished message once, a retain and a
    /// release of every view in it.
    static func make(version: SNMPVersion, community: ArraySlice<UInt8>, pdu: PDU) -> TrapMessage {
        TrapMessage(version: version, community: community, pdu: pdu, v3Storage: nil)
    }

    /// The variable-bindings of the PDU; empty when encrypted.
    ///
    /// Inlinable, so that `message.varbinds.count` reads the count where it is instead of copying the list out.
    @inlinable
    public var varbinds: VarBindList {
        // One case per line: a pattern binding two cases makes the compiler copy the whole PDU.
        switch pdu {
        case .trapV1(let trap): return trap.varbinds
        case .trapV2(let notification): return notification.varbinds
        case .inform(let notification): return notification.varbinds
        case .encrypted: return []
        }
    }
}

extension TrapMessage {
    /// Creates a message.
    public init(version: SNMPVersion, community: ArraySlice<UInt8>?, v3: SNMPv3Header? = nil, pdu: PDU) {
        self.version = version
        self.community = community
        self.v3Storage = v3.map(SNMPv3HeaderBox.init)
        self.pdu = pdu
    }
}
