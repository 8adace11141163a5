extension TrapMessage {
    /// The operator message for trap events 0–6 (SPEC §5), e.g.
    /// `Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 0, Community: public Enterprise: … (varbind 1 …)`.
    ///
    /// `name` turns an OID into its MIB name when one is known; without it OIDs are shown dotted.
    public func operatorText(
        processName: String, classification: TrapClassification, name: (OID) -> String? = { _ in nil }
    ) -> String {
        String(decoding: operatorTextUTF8(processName: processName, classification: classification, name: name),
               as: UTF8.self)
    }

    /// The operator message as UTF-8 bytes: built byte by byte because it is rendered for every event.
    public func operatorTextUTF8(
        processName: String, classification: TrapClassification, name: (OID) -> String? = { _ in nil }
    ) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(160 + classification.varbinds.count * 80)
        text.append(contentsOf: classification.generic.title.utf8)
        text.append(contentsOf: " SNMP-Trap-Multiplexer ".utf8)
        text.append(contentsOf: processName.utf8)
        text.append(contentsOf: ", Version: ".utf8)
        DecimalText.append(UInt64(version.rawValue), to: &text)
        text.append(contentsOf: ", Community: ".utf8)
        TextEscaping.appendEscaped(community ?? v3?.usm?.userName ?? [], to: &text)
        text.append(contentsOf: " Enterprise: ".utf8)
        appendName(of: classification.enterprise, name: name, to: &text)
        text.append(contentsOf: " Network addr:".utf8)
        text.append(contentsOf: classification.agentAddress.utf8)
        text.append(contentsOf: " Generic trap: ".utf8)
        DecimalText.append(Int64(classification.genericTrapNumber), to: &text)
        text.append(contentsOf: ", Specific trap: ".utf8)
        DecimalText.append(Int64(classification.specificTrap), to: &text)
        text.append(contentsOf: " Time ticks: ".utf8)
        DecimalText.append(UInt64(classification.timeStamp), to: &text)
        text.append(UInt8(ascii: " "))
        if classification.varbinds.isEmpty {
            text.append(contentsOf: "(no varbinds)".utf8)
        }
        for (index, varbind) in classification.varbinds.enumerated() {
            if index > 0 { text.append(UInt8(ascii: " ")) }
            text.append(contentsOf: "(varbind ".utf8)
            DecimalText.append(UInt64(index + 1), to: &text)
            text.append(contentsOf: " OID=".utf8)
            appendName(of: varbind.oid, name: name, to: &text)
            text.append(contentsOf: ", type=".utf8)
            text.append(contentsOf: varbind.value.operatorTypeName.utf8)
            text.append(contentsOf: ", value=".utf8)
            varbind.value.appendOperatorText(to: &text, name: name)
            text.append(UInt8(ascii: ")"))
        }
        return text
    }
}

/// The MIB name of `oid` when `name` knows one, else its dotted text.
private func appendName(of oid: OID, name: (OID) -> String?, to text: inout [UInt8]) {
    if let known = name(oid) {
        text.append(contentsOf: known.utf8)
    } else {
        oid.appendDotted(to: &text)
    }
}

extension SNMPValue {
    /// The value as shown in an operator message: numbers, dotted OIDs and addresses, printable strings as
    /// text (control characters escaped) and other octets as spaced hex, the way snmptrapd shows Hex-STRING.
    public func operatorText(name: (OID) -> String? = { _ in nil }) -> String {
        var text: [UInt8] = []
        appendOperatorText(to: &text, name: name)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the `operatorText` of the value to `text`.
    public func appendOperatorText(to text: inout [UInt8], name: (OID) -> String? = { _ in nil }) {
        switch self {
        case .integer(let value): DecimalText.append(Int64(value), to: &text)
        case .octetString(let octets):
            if TextEscaping.isPrintable(octets) {
                TextEscaping.appendEscaped(octets, to: &text)
            } else {
                TextEscaping.appendSpacedHex(octets, to: &text)
            }
        case .null: text.append(contentsOf: "NULL".utf8)
        case .objectIdentifier(let oid): appendName(of: oid, name: name, to: &text)
        case .ipAddress(let address): address.appendDotted(to: &text)
        case .counter32(let value), .gauge32(let value), .timeTicks(let value): DecimalText.append(UInt64(value), to: &text)
        case .opaque(let octets): TextEscaping.appendSpacedHex(octets, to: &text)
        case .counter64(let value): DecimalText.append(value, to: &text)
        case .noSuchObject: text.append(contentsOf: "noSuchObject".utf8)
        case .noSuchInstance: text.append(contentsOf: "noSuchInstance".utf8)
        case .endOfMibView: text.append(contentsOf: "endOfMibView".utf8)
        }
    }
}
