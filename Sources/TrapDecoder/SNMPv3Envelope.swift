/// An SNMPv3 message read up to its msgData, before any security processing (RFC 3412 §6, RFC 3414 §2.4).
///
/// What the User-based Security Model works on: the header, whose USM parameters are views of the datagram (so the
/// authentication parameters can be found and zeroed for the HMAC), and msgData as sent. The scopedPDU is not read
/// here: it may be encrypted, and a discovery probe's is a GetRequest, which only security processing may answer.
public struct SNMPv3Envelope: Sendable {
    /// msgData (RFC 3412 §6): a plaintext scopedPDU or an encryptedPDU.
    public enum ScopedPDUData: Hashable, Sendable {
        /// A plaintext scopedPDU: its whole encoding, identifier and length octets included.
        case plaintext(ArraySlice<UInt8>)
        /// The encryptedPDU: the content octets of the OCTET STRING.
        case encrypted(ArraySlice<UInt8>)
    }

    /// The header, without the context fields (they are inside the scopedPDU).
    public var header: SNMPv3Header
    /// msgData as sent.
    public var data: ScopedPDUData
    /// Offset in the datagram of msgData's identifier octet.
    public var dataOffset: Int

    /// Reads an SNMPv3 message's envelope; throws when the datagram is not one (other versions:
    /// `unsupportedVersion`).
    public init(decoding datagram: ArraySlice<UInt8>) throws(TrapDecodingError) {
        var top = BERReader(datagram)
        var message = try top.readConstructed(BERTag.sequence)
        try top.finish("the SNMP message")
        let versionElement = try message.readElement(BERTag.integer)
        let version = try BERReader.int32(versionElement, "version")
        guard version == SNMPVersion.v3.rawValue else {
            throw TrapDecodingError(
                .unsupportedVersion, at: versionElement.offset, "SNMP version \(version) is not 3 (SNMPv3)")
        }
        let (header, data) = try TrapMessage.readV3Envelope(from: &message)
        try message.finish("the SNMPv3 message")
        self.header = header
        self.dataOffset = data.offset
        switch data.tag {
        case BERTag.octetString:
            self.data = .encrypted(data.content)
        default:
            // readV3Envelope admits only OCTET STRING and SEQUENCE; the SEQUENCE is kept whole, header octets too.
            self.data = .plaintext(datagram[(datagram.startIndex + data.offset)..<data.content.endIndex])
        }
    }
}
