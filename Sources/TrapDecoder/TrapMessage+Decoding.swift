extension TrapMessage {
    /// Decodes one UDP payload as an SNMP notification, or throws why it is not one.
    ///
    /// Grammar: RFC 1157 (v1 Message, Trap-PDU), RFC 1901/3416 (v2c Message, SNMPv2-Trap-PDU,
    /// InformRequest-PDU), RFC 3412/3414 (v3 message, USM parameters, scopedPDU). Cost is linear in
    /// the datagram's size; values are views into `datagram`.
    ///
    /// Well-formed v1 and v2c notifications, nearly all traffic, take the single-pass fast path
    /// (`SinglePassDecoder`); whatever it does not accept goes to the reference decoder below, which defines
    /// the rules and reports every error with its kind, offset and reason.
    ///
    /// Inlinable, and the work in a free function: compiled as an initializer (or static function) in this module,
    /// it had a dead metatype argument, and the optimizer's copy without it made every caller in another module go
    /// through a thunk that copied the finished message once more (a `memcpy` of its 144 bytes).
    @inlinable
    public init(decoding datagram: borrowing ArraySlice<UInt8>) throws(TrapDecodingError) {
        self = try decodeTrapMessage(datagram)
    }

    /// Decodes one UDP payload held in an array.
    public init(decoding datagram: [UInt8]) throws(TrapDecodingError) {
        try self.init(decoding: datagram[...])
    }

    /// The reference decoder: the grammar read element by element with `BERReader`, every rule checked where
    /// the grammar puts it. The fast path must accept nothing this rejects and decode identically what it accepts.
    ///
    /// With `materializingVarBinds` the variable-bindings it reads are kept in an array rather than as a view of
    /// the datagram: comparing a fast-path message with such a message compares the fast path's reading of each
    /// element (`VarBindList`'s) with this decoder's own.
    init(
        referenceDecoding datagram: ArraySlice<UInt8>, materializingVarBinds: Bool = false
    ) throws(TrapDecodingError) {
        let form: VarBindListForm = materializingVarBinds ? .materialized : .view
        var top = BERReader(datagram)
        var message = try top.readConstructed(BERTag.sequence)
        try top.finish("the SNMP message")

        let versionElement = try message.readElement(BERTag.integer)
        let versionNumber = try BERReader.int32(versionElement, "version")
        guard let version = SNMPVersion(rawValue: versionNumber) else {
            throw TrapDecodingError(
                .unsupportedVersion, at: versionElement.offset,
                "SNMP version \(versionNumber) is not 0 (v1), 1 (v2c) or 3 (v3)")
        }

        switch version {
        case .v1, .v2c:
            let community = try message.readElement(BERTag.octetString).content
            let pdu = try Self.readPDU(from: &message, version: version, form: form)
            try message.finish("the SNMP message")
            self.init(version: version, community: community, pdu: pdu)
        case .v3:
            let (header, pdu) = try Self.readV3(from: &message, form: form)
            try message.finish("the SNMPv3 message")
            self.init(version: .v3, community: nil, v3: header, pdu: pdu)
        }
    }

    // MARK: PDUs

    /// How the reference decoder returns variable-bindings.
    enum VarBindListForm {
        /// A view of the datagram, as the fast path returns them.
        case view
        /// An array of the elements as this decoder read them (for the differential checks).
        case materialized
    }

    static func readPDU(
        from reader: inout BERReader, version: SNMPVersion, form: VarBindListForm
    ) throws(TrapDecodingError) -> PDU {
        let element = try reader.readElement()
        try checkNotificationTag(element, version: version)
        var content = try reader.nested(in: element)
        if element.tag == BERTag.trapV1 {
            return .trapV1(try readTrapV1(from: &content, form: form))
        }
        let notification = try readNotification(from: &content, form: form)
        return element.tag == BERTag.informRequest ? .inform(notification) : .trapV2(notification)
    }

    private static func checkNotificationTag(_ element: BERElement, version: SNMPVersion) throws(TrapDecodingError) {
        switch element.tag {
        case BERTag.trapV1:
            guard version == .v1 else {
                throw TrapDecodingError(
                    .unexpectedTag, at: element.offset, "an SNMPv1 Trap-PDU inside an SNMPv\(version.name) message")
            }
        case BERTag.trapV2, BERTag.informRequest:
            guard version != .v1 else {
                throw TrapDecodingError(
                    .unexpectedTag, at: element.offset, "an SNMPv2 \(BERTag.describe(element.tag)) inside an SNMPv1 message")
            }
        case BERTag.getRequest, BERTag.getNextRequest, BERTag.response, BERTag.setRequest, BERTag.getBulkRequest,
            BERTag.report:
            throw TrapDecodingError(
                .notANotification, at: element.offset, "\(BERTag.describe(element.tag)) is not a notification")
        default:
            throw TrapDecodingError(
                .unexpectedTag, at: element.offset, "expected a PDU, found \(BERTag.describe(element.tag))")
        }
    }

    private static func readTrapV1(
        from pdu: inout BERReader, form: VarBindListForm
    ) throws(TrapDecodingError) -> TrapV1PDU {
        let enterpriseElement = try pdu.readElement(BERTag.objectIdentifier)
        let enterprise = try OID(encoded: enterpriseElement.content, offset: enterpriseElement.offset)
        let agentElement = try pdu.readElement(BERTag.ipAddress)
        guard let agentAddress = IPv4Address(octets: agentElement.content) else {
            throw TrapDecodingError(
                .badLength, at: agentElement.offset, "agent-addr has \(agentElement.content.count) octets, not 4")
        }
        let genericTrap = try pdu.readInt32("generic-trap")
        let specificTrap = try pdu.readInt32("specific-trap")
        let timeStamp = try pdu.readUInt32(BERTag.timeTicks, "time-stamp")
        let varbinds = try readVarBinds(from: &pdu, version: .v1, form: form)
        try pdu.finish("the Trap-PDU")
        return TrapV1PDU(
            enterprise: enterprise, agentAddress: agentAddress, genericTrap: genericTrap, specificTrap: specificTrap,
            timeStamp: timeStamp, varbinds: varbinds)
    }

    static func readNotification(
        from pdu: inout BERReader, form: VarBindListForm
    ) throws(TrapDecodingError) -> NotificationPDU {
        let requestID = try pdu.readInt32("request-id")
        let errorStatus = try pdu.readInt32("error-status")
        let errorIndex = try pdu.readInt32("error-index")
        let varbinds = try readVarBinds(from: &pdu, version: .v2c, form: form)
        try pdu.finish("the PDU")
        return NotificationPDU(requestID: requestID, errorStatus: errorStatus, errorIndex: errorIndex, varbinds: varbinds)
    }

    // MARK: Variable bindings

    /// Reads and checks every VarBind; returns them as `form` asks.
    private static func readVarBinds(
        from pdu: inout BERReader, version: SNMPVersion, form: VarBindListForm
    ) throws(TrapDecodingError) -> VarBindList {
        var list = try pdu.readConstructed(BERTag.sequence)
        let contents = list.remaining
        var count = 0
        var varbinds: [VarBind] = []
        if form == .materialized {
            // One allocation of the right size instead of regrowing 1, 2, 4, 8, 16… (none when the list is empty).
            let count = list.countRemainingElements()
            if count > 0 {
                varbinds.reserveCapacity(count)
            }
        }
        while !list.isAtEnd {
            var varbind = try list.readConstructed(BERTag.sequence)
            let nameElement = try varbind.readElement(BERTag.objectIdentifier)
            let nameOffset = nameElement.offset
            // `consume` hands the element's view to the OID instead of copying it (a retain and a release less).
            let oid = try OID(encoded: (consume nameElement).content, offset: nameOffset)
            let value = try readValue(varbind.readElement(), version: version)
            try varbind.finish("a VarBind")
            count += 1
            if form == .materialized {
                varbinds.append(VarBind(oid: consume oid, value: consume value))
            }
        }
        switch form {
        case .view: return VarBindList(validatedEncoding: contents, count: count)
        case .materialized: return VarBindList(varbinds)
        }
    }

    private static func readValue(
        _ element: consuming BERElement, version: SNMPVersion
    ) throws(TrapDecodingError) -> SNMPValue {
        switch element.tag {
        case BERTag.integer:
            return .integer(try BERReader.int32(element, "Integer32 value"))
        case BERTag.octetString:
            return .octetString(element.content)
        case BERTag.null:
            try requireEmpty(element)
            return .null
        case BERTag.objectIdentifier:
            return .objectIdentifier(try OID(encoded: element.content, offset: element.offset))
        case BERTag.ipAddress:
            guard let address = IPv4Address(octets: element.content) else {
                throw TrapDecodingError(
                    .badLength, at: element.offset, "IpAddress has \(element.content.count) octets, not 4")
            }
            return .ipAddress(address)
        case BERTag.counter32:
            return .counter32(try BERReader.uint32(element, "Counter32 value"))
        case BERTag.gauge32:
            return .gauge32(try BERReader.uint32(element, "Gauge32 value"))
        case BERTag.timeTicks:
            return .timeTicks(try BERReader.uint32(element, "TimeTicks value"))
        case BERTag.opaque:
            return .opaque(element.content)
        case BERTag.counter64 where version != .v1:
            return .counter64(try BERReader.uint64(element, "Counter64 value"))
        case BERTag.noSuchObject where version != .v1:
            try requireEmpty(element)
            return .noSuchObject
        case BERTag.noSuchInstance where version != .v1:
            try requireEmpty(element)
            return .noSuchInstance
        case BERTag.endOfMibView where version != .v1:
            try requireEmpty(element)
            return .endOfMibView
        case BERTag.counter64, BERTag.noSuchObject, BERTag.noSuchInstance, BERTag.endOfMibView:
            throw TrapDecodingError(
                .unexpectedTag, at: element.offset, "\(BERTag.describe(element.tag)) does not exist in SNMPv1")
        default:
            if element.isConstructed, isPrimitiveValueTag(element.tag ^ BERTag.constructedBit) {
                throw TrapDecodingError(
                    .unexpectedTag, at: element.offset,
                    "\(BERTag.describe(element.tag ^ BERTag.constructedBit)) must use the primitive encoding")
            }
            throw TrapDecodingError(
                .unexpectedTag, at: element.offset, "\(BERTag.describe(element.tag)) is not an SNMP value type")
        }
    }

    private static func isPrimitiveValueTag(_ tag: UInt8) -> Bool {
        switch tag {
        case BERTag.integer, BERTag.octetString, BERTag.null, BERTag.objectIdentifier, BERTag.ipAddress,
            BERTag.counter32, BERTag.gauge32, BERTag.timeTicks, BERTag.opaque, BERTag.counter64,
            BERTag.noSuchObject, BERTag.noSuchInstance, BERTag.endOfMibView:
            return true
        default:
            return false
        }
    }

    private static func requireEmpty(_ element: BERElement) throws(TrapDecodingError) {
        guard element.content.isEmpty else {
            throw TrapDecodingError(
                .badValue, at: element.offset,
                "\(BERTag.describe(element.tag)) must have no content, found \(element.content.count) octets")
        }
    }
}

extension TrapMessage {
    /// The version a datagram declares (the first INTEGER of its outer SEQUENCE), without decoding the rest: routes
    /// SNMPv3 messages to security processing, which must see them before anything of their PDU is believed.
    public static func declaredVersion(of datagram: ArraySlice<UInt8>) -> SNMPVersion? {
        var top = BERReader(datagram)
        guard var message = try? top.readConstructed(BERTag.sequence),
            let element = try? message.readElement(BERTag.integer),
            let version = try? BERReader.int32(element, "version")
        else { return nil }
        return SNMPVersion(rawValue: version)
    }
}

/// `TrapMessage(decoding:)`: the fast path, else the reference decoder.
@usableFromInline
func decodeTrapMessage(_ datagram: borrowing ArraySlice<UInt8>) throws(TrapDecodingError) -> TrapMessage {
    // Borrowed, not owned as arguments are by default: callers need not retain the datagram.
    try SinglePassDecoder.decodeOrFallBack(copy datagram)
}
