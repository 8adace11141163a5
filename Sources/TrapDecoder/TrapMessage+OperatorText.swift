extension TrapMessage {
    /// The operator message for trap events 0–6 (SPEC §5), e.g.
    /// `Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 0, Community: public Enterprise: … (varbind 1 …)`.
    ///
    /// `name` turns an OID into its MIB name when one is known; without it OIDs are shown dotted.
    public func operatorText(
        processName: String, classification: TrapClassification, name: (OID) -> String? = { _ in nil }
    ) -> String {
        var text = classification.generic.title
        text += " SNMP-Trap-Multiplexer "
        text += processName
        text += ", Version: "
        text += String(version.rawValue)
        text += ", Community: "
        text += TextEscaping.escaped(community ?? v3?.usm?.userName ?? [])
        text += " Enterprise: "
        text += name(classification.enterprise) ?? classification.enterprise.description
        text += " Network addr:"
        text += classification.agentAddress
        text += " Generic trap: "
        text += String(classification.genericTrapNumber)
        text += ", Specific trap: "
        text += String(classification.specificTrap)
        text += " Time ticks: "
        text += String(classification.timeStamp)
        text += " "
        if classification.varbinds.isEmpty {
            text += "(no varbinds)"
        }
        for (index, varbind) in classification.varbinds.enumerated() {
            if index > 0 { text += " " }
            text += "(varbind "
            text += String(index + 1)
            text += " OID="
            text += name(varbind.oid) ?? varbind.oid.description
            text += ", type="
            text += varbind.value.operatorTypeName
            text += ", value="
            text += varbind.value.operatorText(name: name)
            text += ")"
        }
        return text
    }
}

extension SNMPValue {
    /// The value as shown in an operator message: numbers, dotted OIDs and addresses, printable strings as
    /// text (control characters escaped) and other octets as spaced hex, the way snmptrapd shows Hex-STRING.
    public func operatorText(name: (OID) -> String? = { _ in nil }) -> String {
        switch self {
        case .integer(let value): return String(value)
        case .octetString(let octets):
            return TextEscaping.isPrintable(octets) ? TextEscaping.escaped(octets) : TextEscaping.spacedHex(octets)
        case .null: return "NULL"
        case .objectIdentifier(let oid): return name(oid) ?? oid.description
        case .ipAddress(let address): return address.description
        case .counter32(let value), .gauge32(let value), .timeTicks(let value): return String(value)
        case .opaque(let octets): return TextEscaping.spacedHex(octets)
        case .counter64(let value): return String(value)
        case .noSuchObject: return "noSuchObject"
        case .noSuchInstance: return "noSuchInstance"
        case .endOfMibView: return "endOfMibView"
        }
    }
}
