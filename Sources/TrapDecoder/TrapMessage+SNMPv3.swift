extension TrapMessage {
    /// Reads what follows the version in an SNMPv3 message: msgGlobalData, msgSecurityParameters, msgData.
    static func readV3(from message: inout BERReader) throws(TrapDecodingError) -> (SNMPv3Header, PDU) {
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

        var header = SNMPv3Header(
            messageID: messageID, maximumSize: maximumSize, flags: flags, securityModel: securityModel, usm: usm)

        let data = try message.readElement()
        switch data.tag {
        case BERTag.octetString:
            return (header, .encrypted(data.content))
        case BERTag.sequence:
            var scoped = try message.nested(in: data)
            header.contextEngineID = try scoped.readElement(BERTag.octetString).content
            header.contextName = try scoped.readElement(BERTag.octetString).content
            let pdu = try readPDU(from: &scoped, version: .v3)
            try scoped.finish("the scopedPDU")
            return (header, pdu)
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
