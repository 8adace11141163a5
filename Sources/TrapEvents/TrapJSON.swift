import TrapDecoder

/// The JSON fields of a decoded notification, shared by `trapmux decode --json` and trap events (SPEC §6).
///
/// Field names follow the corpus schema (`corpus/public/README.md`). Every readable notification carries
/// both RFC 3584 views: v1 fields (`enterprise`, `agent_addr`, …) and `trap_oid`.
package enum TrapJSON {
    /// Writes the notification's fields into the object `writer` is inside of.
    package static func writeFields(
        of message: TrapMessage, classification: TrapClassification?, names: MIBNames?, into writer: inout JSONWriter
    ) {
        var memo = NameMemo(names)
        writeFields(of: message, classification: classification, names: &memo, parts: .all, into: &writer)
    }

    /// Writes the notification's fields with `parts` (the core always), taking MIB names through an event's memo.
    package static func writeFields(
        of message: TrapMessage, classification: TrapClassification?, names: inout NameMemo, parts: EventParts,
        into writer: inout JSONWriter
    ) {
        writer.field("version", literal: message.version.nameLiteral)
        if let community = message.community {
            writer.key("community")
            writeText(community, into: &writer)
            writer.key("community_hex")
            writer.hexString(community)
        }
        if let v3 = message.v3 {
            writeV3Fields(v3, into: &writer)
            if parts.contains(.v3) {
                writeV3(v3, into: &writer)
            }
        }
        writer.field("pdu_type", literal: message.pdu.typeLiteral)

        switch message.pdu {
        case .trapV1:
            break
        case .trapV2(let notification), .inform(let notification):
            writer.field("request_id", notification.requestID)
            writer.field("error_status", notification.errorStatus)
            writer.field("error_index", notification.errorIndex)
        case .encrypted(let octets):
            writer.key("encrypted_pdu_hex")
            writer.hexString(octets)
        }

        if let classification {
            writeClassification(classification, names: &names, into: &writer)
        }

        if case .encrypted = message.pdu {
            return
        }
        guard parts.contains(.varbinds) else { return }
        writer.key("varbinds")
        writer.beginArray()
        for varbind in message.varbinds {
            writeVarBind(varbind, names: &names, into: &writer)
        }
        writer.endArray()
    }

    /// Both RFC 3584 views: the SNMPv1 fields and the SNMPv2 trap OID, with their names.
    private static func writeClassification(
        _ classification: TrapClassification, names: inout NameMemo, into writer: inout JSONWriter
    ) {
        writer.key("enterprise")
        writer.oid(classification.enterprise)
        if let name = names.name(of: classification.enterprise) {
            writer.field("enterprise_name", name)
        }
        writer.field("agent_addr", classification.agentAddress)
        writer.field("generic_trap", classification.genericTrapNumber)
        writer.field("specific_trap", classification.specificTrap)
        writer.field("time_stamp", classification.timeStamp)
        writer.field("generic_name", literal: classification.generic.nameLiteral)
        writer.key("trap_oid")
        if let trapOID = classification.trapOID {
            writer.oid(trapOID)
            if let name = names.name(of: trapOID) {
                writer.field("trap_name", name)
            }
        } else {
            writer.null()
        }
    }

    private static func writeVarBind(_ varbind: VarBind, names: inout NameMemo, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("oid")
        writer.oid(varbind.oid)
        if let name = names.name(of: varbind.oid) {
            writer.field("name", name)
        }
        writer.field("type", literal: varbind.value.typeLiteral)
        switch varbind.value {
        case .integer(let value):
            writer.field("value", value)
        case .counter32(let value), .gauge32(let value), .timeTicks(let value):
            writer.field("value", value)
        case .counter64(let value):
            writer.field("value", value)
        case .octetString(let octets), .opaque(let octets):
            writer.key("value_hex")
            writer.hexString(octets)
            if case .octetString = varbind.value, TextEscaping.isPrintable(octets) {
                writer.key("value_text")
                writer.string(utf8: octets)
            }
        case .objectIdentifier(let oid):
            writer.key("value")
            writer.oid(oid)
            if let name = names.name(of: oid) {
                writer.field("value_name", name)
            }
        case .ipAddress(let address):
            writer.key("value")
            writer.ipv4(address)
        case .null, .noSuchObject, .noSuchInstance, .endOfMibView:
            writer.key("value")
            writer.null()
        }
        writer.endObject()
    }

    /// SPEC §3a's fields of an SNMPv3 event: `user` and `security_level` once USM has accepted the message (a decode
    /// without keys verified nothing), and the context of a readable scopedPDU.
    private static func writeV3Fields(_ v3: SNMPv3Header, into writer: inout JSONWriter) {
        if let level = v3.acceptedSecurityLevel, let usm = v3.usm {
            writer.key("user")
            writeText(usm.userName, into: &writer)
            writer.field("security_level", level.rawValue)
        }
        if let contextEngineID = v3.contextEngineID {
            writer.key("context_engine_id")
            writer.hexString(contextEngineID)
        }
        if let contextName = v3.contextName {
            writer.key("context_name")
            writeText(contextName, into: &writer)
        }
    }

    /// Octets that are normally text (community, user, context name): a JSON string, or null when not UTF-8.
    private static func writeText(_ octets: ArraySlice<UInt8>, into writer: inout JSONWriter) {
        if TextEscaping.isValidUTF8(octets) {
            writer.string(utf8: octets)
        } else {
            writer.null()
        }
    }

    private static func writeV3(_ v3: SNMPv3Header, into writer: inout JSONWriter) {
        writer.key("v3")
        writer.beginObject()
        writer.field("msg_id", v3.messageID)
        writer.field("msg_max_size", v3.maximumSize)
        writer.field("msg_flags", v3.flags)
        writer.field("security_model", v3.securityModel)
        if let usm = v3.usm {
            writer.key("engine_id_hex")
            writer.hexString(usm.engineID)
            writer.field("engine_boots", usm.engineBoots)
            writer.field("engine_time", usm.engineTime)
            writer.key("user_name_hex")
            writer.hexString(usm.userName)
            writer.key("auth_params_hex")
            writer.hexString(usm.authenticationParameters)
            writer.key("priv_params_hex")
            writer.hexString(usm.privacyParameters)
        }
        if let contextEngineID = v3.contextEngineID {
            writer.key("context_engine_id_hex")
            writer.hexString(contextEngineID)
        }
        if let contextName = v3.contextName {
            writer.key("context_name_hex")
            writer.hexString(contextName)
        }
        writer.endObject()
    }
}
