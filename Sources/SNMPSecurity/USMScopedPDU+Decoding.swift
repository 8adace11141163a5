import TrapDecoder

extension USMScopedPDU {
    /// Decodes a plaintext scopedPDU of any SNMPv2 PDU type (RFC 3412 §6), e.g. the Response or Report that answers
    /// an inform. `scopedPDU` is the whole encoding and offsets in errors count from its first octet; with `padded`,
    /// up to 7 octets may follow it (DES-CBC pads the plaintext to whole blocks, RFC 3414 §8.1.1.2).
    public init(decoding scopedPDU: ArraySlice<UInt8>, padded: Bool = false) throws(TrapDecodingError) {
        var reader = BERReader(scopedPDU)
        var scoped = try reader.readConstructed(BERTag.sequence)
        if !padded || reader.remaining.count >= 8 {
            try reader.finish("the scopedPDU")
        }
        let contextEngineID = try scoped.readElement(BERTag.octetString).content
        let contextName = try scoped.readElement(BERTag.octetString).content
        let element = try scoped.readElement()
        guard let type = PDUType(rawValue: element.tag) else {
            throw TrapDecodingError(
                .unexpectedTag, at: element.offset, "expected an SNMPv2 PDU, found \(BERTag.describe(element.tag))")
        }
        var contents = try scoped.nested(in: element)
        let pdu = try NotificationPDU(readingContentsOf: &contents)
        try scoped.finish("the scopedPDU")
        self.init(contextEngineID: Array(contextEngineID), contextName: Array(contextName), type: type, pdu: pdu)
    }
}
