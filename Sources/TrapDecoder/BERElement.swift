/// One tag-length-value element as read from the datagram: its identifier octet and a view of its contents.
public struct BERElement: Sendable {
    /// The identifier octet (always low-tag-number form in SNMP).
    public let tag: UInt8
    /// The contents octets, a view into the datagram.
    public let content: ArraySlice<UInt8>
    /// Offset of the identifier octet in the datagram.
    public let offset: Int

    /// Whether the identifier marks a constructed encoding.
    public var isConstructed: Bool { tag & BERTag.constructedBit != 0 }
}
