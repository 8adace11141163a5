extension TrapMessage {
    /// Reads what follows the version in an SNMPv3 message: msgGlobalData, msgSecurityParameters, msgData.
    static func readV3(
        from message: inout BERReader, form: VarBindListForm
    ) throws(TrapDecodingError) -> (SNMPv3Header, PDU) {
        let (envelopeHeader, data) = try readV3Envelope(from: &message)
        var header = envelopeHeader
        switch data.tag {
        case BERTag.octetString:
            return (header, .encrypted(data.content))
        default:
            var scoped = try message.nested(in: data)
            let pdu = try readScopedPDU(from: &scoped, into: &header, form: form)
            return (header, pdu)
        }
    }

    /// Decodes a plaintext scopedPDU (RFC 3412 §6) for a v3 message whose security processing revealed it: the
    /// context fields go into `header`, and the PDU must be a notification. `scopedPDU` is the whole encoding;
    /// offsets in errors count from its first octet. With `padded`, up to 7 octets may follow it (DES-CBC pads the
    /// plaintext to a multiple of 8, RFC 3414 §8.1.1.2).
    public init(v3 header: SNMPv3Header, scopedPDU: ArraySlice<UInt8>, padded: Bool = false) throws(TrapDecodingError) {
        var reader = BERReader(scopedPDU)
        var scoped = try reader.readConstructed(BERTag.sequence)
        if !padded || reader.remaining.count >= 8 {
            try reader.finish("the scopedPDU")
        }
        var header = header
        let pdu = try Self.readScopedPDU(from: &scoped, into: &header, form: .view)
        self.init(version: .v3, community: nil, v3: header, pdu: pdu)
    }

    private static func readScopedPDU(
        from scoped: inout BERReader, into header: inout SNMPv3Header, form: VarBindListForm
    ) throws(TrapDecodingError) -> PDU {
        header.contextEngineID = try scoped.readElement(BERTag.octetString).content
        header.contextName = try scoped.readElement(BERTag.octetString).content
        let pdu = try readPDU(from: &scoped, version: .v3, form: form)
        try scoped.finish("the scopedPDU")
        return pdu
    }

    /// Reads msgGlobalData and msgSecurityParameters, and returns msgData unread: a SEQUENCE (plaintext scopedPDU)
    /// or an OCTET STRING (encryptedPDU).
    static func readV3Envelope(
        from message: inout BERReader
    ) throws(TrapDecodingError) -> (SNMPv3Header, BERElement) {
        var global = try message.readConstructed(BERTag.sequence)
        let messageID = try readRange(&global, "msgID", 0...Int32.max)
        let maximumSize = try readRange(&global, "msgMaxSize", 484...Int32.max)
        let flagsElement = try global.readElement(BERTag.octetString)
        guard flagsElement.content.count == 1, let flags = flagsElement.content.first else {
            throw TrapDecodingError(
                .badLength, at: flagsElement.offset, "msgFlags has \(flagsElement.content.count) octets, not 1")
        }
        let securityModel = try readRange(&global, "msgSecurityModel", 1...Int32.max)
        try global.finish("msgGlobalData")

        let parametersElement = try message.readElement(BERTag.octetString)
        var usm: SNMPv3Header.USMSecurityParameters?
        if securityModel == 3 {
            var parameters = try message.nested(in: parametersElement)
            usm = try readUSM(from: &parameters)
            try parameters.finish("msgSecurityParameters")
        }

        let header = SNMPv3Header(
            messageID: messageID, maximumSize: maximumSize, flags: flags, securityModel: securityModel, usm: usm)

        let data = try message.readElement()
        switch data.tag {
        case BERTag.octetString, BERTag.sequence:
            return (header, data)
        default:
            throw TrapDecodingError(
                .unexpectedTag, at: data.offset,
                "msgData must be a scopedPDU SEQUENCE or an encrypted OCTET STRING, found \(BERTag.describe(data.tag))")
        }
    }

    private static func readUSM(
        from parameters: inout BERReader
    ) throws(TrapDecodingError) -> SNMPv3Header.USMSecurityParameters {
        var usm = try parameters.readConstructed(BERTag.sequence)
        let engineID = try usm.readElement(BERTag.octetString).content
        let engineBoots = try readRange(&usm, "msgAuthoritativeEngineBoots", 0...Int32.max)
        let engineTime = try readRange(&usm, "msgAuthoritativeEngineTime", 0...Int32.max)
        let userElement = try usm.readElement(BERTag.octetString)
        guard userElement.content.count <= 32 else {
            throw TrapDecodingError(
                .badLength, at: userElement.offset, "msgUserName has \(userElement.content.count) octets; at most 32")
        }
        let authentication = try usm.readElement(BERTag.octetString).content
        let privacy = try usm.readElement(BERTag.octetString).content
        try usm.finish("UsmSecurityParameters")
        return SNMPv3Header.USMSecurityParameters(
            engineID: engineID, engineBoots: engineBoots, engineTime: engineTime, userName: userElement.content,
            authenticationParameters: authentication, privacyParameters: privacy)
    }

    private static func readRange(
        _ reader: inout BERReader, _ field: String, _ range: ClosedRange<Int32>
    ) throws(TrapDecodingError) -> Int32 {
        let element = try reader.readElement(BERTag.integer)
        let value = try BERReader.int32(element, field)
        guard range.contains(value) else {
            throw TrapDecodingError(
                .integerOverflow, at: element.offset,
                "\(field) \(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }
}
