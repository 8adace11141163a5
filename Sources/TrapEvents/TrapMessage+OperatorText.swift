import TrapDecoder

extension TrapMessage {
    /// The operator message for trap events 0–6 (SPEC §5), e.g.
    /// `Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 0, Community: public Enterprise: … (varbind 1 …)`.
    ///
    /// `name` turns an OID into its MIB name when one is known; without it OIDs are shown dotted.
    package func operatorText(
        processName: String, classification: TrapClassification, name: (OID) -> String? = { _ in nil }
    ) -> String {
        var text = OutputBytes(capacity: 160 + classification.varbinds.count * 80)
        appendOperatorText(processName: processName, classification: classification, name: name, to: &text)
        return text.string
    }

    /// Appends the operator message as UTF-8: rendered in place because it is rendered for every event.
    package func appendOperatorText(
        processName: String, classification: TrapClassification, name: (OID) -> String? = { _ in nil },
        to text: inout OutputBytes
    ) {
        text.append(string: classification.generic.title)
        text.append(" SNMP-Trap-Multiplexer ")
        text.append(string: processName)
        text.append(", Version: ")
        DecimalText.append(UInt64(version.rawValue), to: &text)
        if let community {
            text.append(", Community: ")
            TextEscaping.appendEscaped(community, to: &text)
        } else {
            // SPEC §3a: an SNMPv3 message names its USM user where v1 and v2c name their community.
            text.append(", User: ")
            TextEscaping.appendEscaped(v3?.usm?.userName ?? [], to: &text)
        }
        text.append(" Enterprise: ")
        appendName(of: classification.enterprise, name: name, to: &text)
        text.append(" Network addr:")
        text.append(string: classification.agentAddress)
        text.append(" Generic trap: ")
        DecimalText.append(Int64(classification.genericTrapNumber), to: &text)
        text.append(", Specific trap: ")
        DecimalText.append(Int64(classification.specificTrap), to: &text)
        text.append(" Time ticks: ")
        DecimalText.append(UInt64(classification.timeStamp), to: &text)
        text.append(UInt8(ascii: " "))
        if classification.varbinds.isEmpty {
            text.append("(no varbinds)")
        }
        for (index, varbind) in classification.varbinds.enumerated() {
            if index > 0 { text.append(UInt8(ascii: " ")) }
            text.append("(varbind ")
            DecimalText.append(UInt64(index + 1), to: &text)
            text.append(" OID=")
            appendName(of: varbind.oid, name: name, to: &text)
            text.append(", type=")
            text.append(string: varbind.value.operatorTypeName)
            text.append(", value=")
            varbind.value.appendOperatorText(to: &text, name: name)
            text.append(UInt8(ascii: ")"))
        }
    }
}

/// The MIB name of `oid` when `name` knows one, else its dotted text.
private func appendName(of oid: OID, name: (OID) -> String?, to text: inout OutputBytes) {
    if let known = name(oid) {
        text.append(string: known)
    } else {
        oid.appendDotted(to: &text)
    }
}

extension SNMPValue {
    /// The value as shown in an operator message: numbers, dotted OIDs and addresses, printable strings as
    /// text (control characters escaped) and other octets as spaced hex, the way snmptrapd shows Hex-STRING.
    package func operatorText(name: (OID) -> String? = { _ in nil }) -> String {
        var text = OutputBytes(capacity: 32)
        appendOperatorText(to: &text, name: name)
        return text.string
    }

    /// Appends the `operatorText` of the value to `text`.
    package func appendOperatorText(to text: inout OutputBytes, name: (OID) -> String? = { _ in nil }) {
        switch self {
        case .integer(let value): DecimalText.append(Int64(value), to: &text)
        case .octetString(let octets):
            if TextEscaping.isPrintable(octets) {
                TextEscaping.appendEscaped(octets, to: &text)
            } else {
                TextEscaping.appendSpacedHex(octets, to: &text)
            }
        case .null: text.append("NULL")
        case .objectIdentifier(let oid): appendName(of: oid, name: name, to: &text)
        case .ipAddress(let address): address.appendDotted(to: &text)
        case .counter32(let value), .gauge32(let value), .timeTicks(let value): DecimalText.append(UInt64(value), to: &text)
        case .opaque(let octets): TextEscaping.appendSpacedHex(octets, to: &text)
        case .counter64(let value): DecimalText.append(value, to: &text)
        case .noSuchObject: text.append("noSuchObject")
        case .noSuchInstance: text.append("noSuchInstance")
        case .endOfMibView: text.append("endOfMibView")
        }
    }
}
