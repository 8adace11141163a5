import SNMPSecurity
import TrapDecoder

/// What one fuzz input does to `USMProcessor.process`, chosen by its first octet:
/// - `0x30` (a SEQUENCE, as every SNMP message starts): the whole input is a datagram, so the corpus captures are
///   seeds as they are; the receiver's clock is the corpus's (boots 11, time 1), so its informs pass too;
/// - anything else: a message built for one of `FuzzUsers` from the rest of the input and authenticated with the
///   user's key, so that what the fuzzer varies gets past the HMAC: a notification built with `USMOutgoingMessage`
///   whose decode must equal what was sent; a plaintext of fuzzed octets, encrypted when the level asks; fuzzed
///   ciphertext under a fuzzed salt (authenticated garbage to decrypt); or a notification in a header of fuzzed
///   fields (flags, msgID, msgMaxSize, boots, time, parameter lengths).
///
/// Invariants, checked by `precondition` so a break is a crash libFuzzer keeps: no crash or unbounded work; an
/// error's offset lies within the datagram; an accepted message's user is the table's row for its engine and name,
/// at a level that user allows; a built notification decodes to what was sent; Reports and Responses the processor
/// makes are SNMPv3 messages; and `USMProcessor.verify` (the sender's side, any PDU) agrees with `process`.
enum USMFuzzTarget {
    static func run(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        if mode == 0x30 {
            var processor = receiver(boots: 11, time: 1)
            check(input, processor: &processor, expected: nil)
            return
        }
        var bytes = FuzzBytes(input.dropFirst())
        guard !FuzzUsers.rows.isEmpty else { return }
        let user = FuzzUsers.rows[Int(bytes.byte()) % FuzzUsers.rows.count]
        switch mode % 4 {
        case 0: builtNotification(for: user, from: &bytes)
        case 1: encryptedPlaintext(for: user, from: &bytes)
        case 2: authenticatedCiphertext(for: user, from: &bytes)
        default: fuzzedHeader(for: user, from: &bytes)
        }
    }

    /// A fresh receiver (no remote engine known yet) whose own engine is at `boots` and `time` when `now` is 0.
    static func receiver(boots: Int32, time: Int32) -> USMProcessor {
        USMProcessor(
            users: FuzzUsers.table,
            localEngine: USMLocalEngine(engineID: FuzzUsers.localEngineID, boots: boots, time: time, at: 0))
    }

    // MARK: Modes

    /// A notification through the library's builder, at a level the user allows and in valid ranges: it must be
    /// accepted and decode to exactly what was sent.
    static func builtNotification(for user: USMLocalizedUser, from bytes: inout FuzzBytes) {
        let levels = SNMPSecurityLevel.allCases.filter { user.supports($0) && $0 >= user.minimumSecurityLevel }
        guard !levels.isEmpty else { return }
        let level = levels[Int(bytes.byte()) % levels.count]
        // Boots below 2147483647, which no message is timely at; time any valid value.
        let boots = Int32(bytes.uint32() % UInt32(Int32.max))
        let time = Int32(bytes.uint32() & 0x7FFF_FFFF)
        let isLocal = user.engineID == FuzzUsers.localEngineID
        let type: USMScopedPDU.PDUType = isLocal && bytes.byte() & 1 == 1 ? .informRequest : .trapV2
        let scoped = scopedPDU(type, from: &bytes)
        var salt = USMSaltCounter(start: bytes.uint64())
        let message = USMOutgoingMessage(
            messageID: Int32(bitPattern: bytes.uint32()) & 0x7FFF_FFFF, reportable: type == .informRequest,
            security: level == .noAuthNoPriv ? .unauthenticated(userName: user.nameOctets) : .user(user, level),
            engineID: user.engineID, engineBoots: boots, engineTime: time, scopedPDU: scoped)
        guard let datagram = try? message.encoded(salt: &salt) else {
            preconditionFailure("the builder refused a level its user allows")
        }
        var processor = receiver(boots: boots, time: time)
        check(datagram, processor: &processor, expected: (scoped, level))
    }

    /// Fuzzed octets as the scopedPDU: encrypted under the user's key with a fuzzed salt when the level is authPriv,
    /// else msgData as they are; then authenticated.
    static func encryptedPlaintext(for user: USMLocalizedUser, from bytes: inout FuzzBytes) {
        let level = user.highestSecurityLevel
        let boots = Int32(bitPattern: bytes.uint32()) & 0x7FFF_FFFF
        let time = Int32(bitPattern: bytes.uint32()) & 0x7FFF_FFFF
        let salt = bytes.octets(8)
        let plaintext = bytes.rest()
        var header = Header(user: user, level: level, boots: boots, time: time)
        let msgData: [UInt8]
        if level.isPrivate,
            let ciphertext = try? user.encryptData(plaintext, salt: salt, engineBoots: boots, engineTime: time)
        {
            header.privacyParameters = salt
            msgData = encodedOctetString(ciphertext)
        } else {
            msgData = plaintext
        }
        var processor = receiver(boots: boots, time: time)
        check(header.message(msgData: msgData, signedBy: user), processor: &processor, expected: nil)
    }

    /// Fuzzed octets as the encryptedPDU, under a salt of fuzzed length, with fuzzed flags: authentic garbage that
    /// only decryption and the scopedPDU decoder can refuse.
    static func authenticatedCiphertext(for user: USMLocalizedUser, from bytes: inout FuzzBytes) {
        var header = Header(
            user: user, level: user.highestSecurityLevel, boots: Int32(bitPattern: bytes.uint32()) & 0x7FFF_FFFF,
            time: Int32(bitPattern: bytes.uint32()) & 0x7FFF_FFFF)
        header.flags = [bytes.byte()]
        header.privacyParameters = bytes.octets(Int(bytes.byte() % 17))
        let ciphertext = bytes.rest()
        var processor = receiver(boots: header.boots, time: header.time)
        check(
            header.message(msgData: encodedOctetString(ciphertext), signedBy: user), processor: &processor,
            expected: nil)
    }

    /// A notification in a header whose fields come from the input, any of them out of range; authenticated when
    /// the (fuzzed) flags ask for it; the receiver's clock a fuzzed distance from the message's.
    static func fuzzedHeader(for user: USMLocalizedUser, from bytes: inout FuzzBytes) {
        var header = Header(
            user: user, level: user.highestSecurityLevel, boots: Int32(bitPattern: bytes.uint32()),
            time: Int32(bitPattern: bytes.uint32()))
        header.flags = bytes.octets(Int(bytes.byte() % 3))
        header.messageID = Int64(Int32(bitPattern: bytes.uint32()))
        header.maximumSize = Int64(Int32(bitPattern: bytes.uint32()))
        header.securityModel = bytes.byte() & 0x80 == 0 ? 3 : Int64(bytes.byte())
        header.authenticationLength = Int(bytes.byte() % 64)
        header.privacyParameters = bytes.octets(Int(bytes.byte() % 17))
        let skew = Int32(Int8(bitPattern: bytes.byte())) * 4
        let scoped = scopedPDU(bytes.byte() & 1 == 0 ? .trapV2 : .informRequest, from: &bytes).encoded()
        let receiverTime = Int32(clamping: Int64(max(0, header.time)) + Int64(skew))
        var processor = receiver(boots: max(0, header.boots), time: max(0, receiverTime))
        if bytes.byte() & 1 == 1 {
            // A sender already known to be later than this message: RFC 3414 §3.2 step 7b.
            processor.remoteEngines.set(
                engineID: user.engineID, boots: max(0, header.boots), time: max(0, receiverTime), at: 0)
        }
        check(header.message(msgData: scoped, signedBy: user), processor: &processor, expected: nil)
    }

    // MARK: Building

    /// The fields of an SNMPv3 header, written as they are (even when out of range).
    struct Header {
        var messageID: Int64 = 1
        var maximumSize: Int64 = 65507
        var flags: [UInt8]
        var securityModel: Int64 = 3
        var engineID: [UInt8]
        var boots: Int32
        var time: Int32
        var userName: [UInt8]
        var authenticationLength: Int
        var privacyParameters: [UInt8] = []

        init(user: USMLocalizedUser, level: SNMPSecurityLevel, boots: Int32, time: Int32) {
            flags = [level.flags]
            engineID = user.engineID
            self.boots = boots
            self.time = time
            userName = user.nameOctets
            authenticationLength = level.isAuthenticated ? user.authProtocol?.macLength ?? 0 : 0
        }

        /// The message with `msgData` (encoded octets, written as they are), its HMAC written by `user` when msgFlags
        /// asks for authentication and the field has the length the user's protocol needs.
        func message(msgData: [UInt8], signedBy user: USMLocalizedUser) -> [UInt8] {
            var writer = BERWriter()
            writer.constructed(BERTag.sequence) { message in
                message.integer(3)
                message.constructed(BERTag.sequence) { global in
                    global.integer(messageID)
                    global.integer(maximumSize)
                    global.primitive(BERTag.octetString, flags)
                    global.integer(securityModel)
                }
                var parameters = BERWriter()
                parameters.constructed(BERTag.sequence) { usm in
                    usm.primitive(BERTag.octetString, engineID)
                    usm.integer(Int64(boots))
                    usm.integer(Int64(time))
                    usm.primitive(BERTag.octetString, userName)
                    usm.primitive(BERTag.octetString, repeatElement(UInt8(0), count: authenticationLength))
                    usm.primitive(BERTag.octetString, privacyParameters)
                }
                message.primitive(BERTag.octetString, parameters.bytes)
            }
            // msgData goes in as it is: the outer SEQUENCE is rewritten around it.
            var body = writer.bytes
            body.removeFirst(headerLength(of: body))
            var outer = BERWriter()
            outer.primitive(BERTag.sequence, body + msgData)
            var datagram = outer.bytes
            if flags.first.map({ $0 & 0x01 != 0 }) == true {
                try? user.authenticateOutgoingMessage(&datagram)
            }
            return datagram
        }
    }

    /// A scopedPDU of `type` whose context and varbinds come from the input.
    static func scopedPDU(_ type: USMScopedPDU.PDUType, from bytes: inout FuzzBytes) -> USMScopedPDU {
        let contextEngineID = bytes.octets(Int(bytes.byte() % 33))
        let contextName = bytes.octets(Int(bytes.byte() % 16))
        let requestID = Int32(bitPattern: bytes.uint32())
        var varbinds: [VarBind] = []
        for _ in 0..<(bytes.byte() % 6) {
            guard let oid = oid(from: &bytes) else { continue }
            varbinds.append(VarBind(oid: oid, value: value(from: &bytes)))
        }
        return USMScopedPDU(
            contextEngineID: contextEngineID, contextName: contextName, type: type,
            pdu: NotificationPDU(requestID: requestID, varbinds: VarBindList(varbinds)))
    }

    static func oid(from bytes: inout FuzzBytes) -> OID? {
        let count = 2 + Int(bytes.byte() % 8)
        var arcs: [UInt32] = [UInt32(bytes.byte() % 3)]
        for index in 1..<count {
            let arc = bytes.byte() & 0x80 == 0 ? UInt32(bytes.byte()) : bytes.uint32()
            arcs.append(index == 1 && arcs[0] < 2 ? arc % 40 : arc)
        }
        return OID(arcs: arcs)
    }

    static func value(from bytes: inout FuzzBytes) -> SNMPValue {
        switch bytes.byte() % 13 {
        case 0: return .integer(Int32(bitPattern: bytes.uint32()))
        case 1: return .octetString(bytes.octets(Int(bytes.byte() % 40))[...])
        case 2: return .null
        case 3: return oid(from: &bytes).map { .objectIdentifier($0) } ?? .null
        case 4: return .ipAddress(IPv4Address(bytes.uint32()))
        case 5: return .counter32(bytes.uint32())
        case 6: return .gauge32(bytes.uint32())
        case 7: return .timeTicks(bytes.uint32())
        case 8: return .opaque(bytes.octets(Int(bytes.byte() % 20))[...])
        case 9: return .counter64(bytes.uint64())
        case 10: return .noSuchObject
        case 11: return .noSuchInstance
        default: return .endOfMibView
        }
    }

    /// An OCTET STRING's encoding.
    static func encodedOctetString(_ content: [UInt8]) -> [UInt8] {
        var writer = BERWriter(capacity: content.count + 6)
        writer.primitive(BERTag.octetString, content)
        return writer.bytes
    }

    /// The identifier and length octets at the start of an element the BERWriter wrote.
    static func headerLength(of element: [UInt8]) -> Int {
        guard element.count > 1 else { return element.count }
        let first = element[1]
        return first < 0x80 ? 2 : 2 + Int(first & 0x7F)
    }

    // MARK: Invariants

    /// `verify` refuses what `process` refuses, for the same reason at the same place, except a PDU that is not a
    /// notification (verify takes any well-formed one, and reads the contents `process` does not look at) and an
    /// inform to another engine (a rule of notification receivers).
    static func agree(_ verified: Result<USMVerifiedMessage, USMError>, refusedAs error: USMError) {
        switch verified {
        case .success(let message):
            let type = message.scopedPDU.type
            precondition(
                (error.kind == .snmpUnknownPDUHandlers && type != .trapV2 && type != .informRequest)
                    || (error.kind == .usmStatsUnknownEngineIDs && type == .informRequest && !message.isAuthoritative),
                "verify accepted a \(type) that process refused: \(error)")
        case .failure(let refusal):
            let malformedOther =
                error.kind == .snmpUnknownPDUHandlers
                && (refusal.kind == .snmpInASNParseErrs || refusal.kind == .usmStatsDecryptionErrors)
            precondition(
                malformedOther || (refusal.kind == error.kind && refusal.offset == error.offset),
                "verify refused with \(refusal), process with \(error)")
        }
    }

    /// Processes `datagram` and checks every invariant; `expected` is what a built notification must decode to.
    static func check(
        _ datagram: [UInt8], processor: inout USMProcessor,
        expected: (scoped: USMScopedPDU, level: SNMPSecurityLevel)?
    ) {
        var verifier = processor
        let verified = Result { () throws(USMError) in try verifier.verify(datagram[...], now: 0) }
        let incoming: USMIncomingMessage
        do {
            incoming = try processor.process(datagram[...], now: 0)
        } catch {
            agree(verified, refusedAs: error)
            precondition(
                (0...datagram.count).contains(error.offset),
                "error offset \(error.offset) outside a datagram of \(datagram.count) octets: \(error)")
            if let decoding = error.decodingError {
                precondition((0...datagram.count).contains(decoding.offset), "decoding error offset: \(error)")
            }
            precondition(expected == nil, "a built notification was refused: \(error)")
            var salt = USMSaltCounter(start: 1)
            if let report = processor.report(for: error, counterValue: 1, now: 0, salt: &salt) {
                precondition((try? SNMPv3Envelope(decoding: report[...])) != nil, "a Report that does not parse")
            }
            return
        }
        let user = incoming.user
        precondition(
            FuzzUsers.table.user(engineID: user.engineID, name: user.nameOctets) == user,
            "accepted for a user not in the table: \(user)")
        precondition(user.supports(incoming.securityLevel) && incoming.securityLevel >= user.minimumSecurityLevel)
        precondition(incoming.message.v3?.acceptedSecurityLevel == incoming.securityLevel)
        precondition(incoming.isAuthoritative == (user.engineID == FuzzUsers.localEngineID))
        guard case .success(let alike) = verified else {
            preconditionFailure("process accepted what verify refused: \(verified)")
        }
        precondition(alike.user == user && alike.securityLevel == incoming.securityLevel)
        let type: USMScopedPDU.PDUType = if case .inform = incoming.message.pdu { .informRequest } else { .trapV2 }
        precondition(alike.scopedPDU.type == type && incoming.message.varbinds == alike.scopedPDU.pdu.varbinds)
        if let expected {
            precondition(incoming.securityLevel == expected.level, "accepted at another level")
            precondition(incoming.message.v3?.contextEngineID == expected.scoped.contextEngineID[...])
            precondition(incoming.message.v3?.contextName == expected.scoped.contextName[...])
            let pdu: TrapMessage.PDU =
                expected.scoped.type == .informRequest ? .inform(expected.scoped.pdu) : .trapV2(expected.scoped.pdu)
            precondition(incoming.message.pdu == pdu, "decoded \(incoming.message.pdu), sent \(pdu)")
        }
        var salt = USMSaltCounter(start: 1)
        if case .inform = incoming.message.pdu {
            let response = try? processor.response(to: incoming, now: 0, salt: &salt)
            precondition(
                response.flatMap { try? SNMPv3Envelope(decoding: $0[...]) } != nil, "no Response to an inform")
        }
    }
}

/// The input read front to back; past its end every read gives zeros, so any input is a complete recipe.
struct FuzzBytes {
    private var octets: ArraySlice<UInt8>

    init(_ octets: ArraySlice<UInt8>) {
        self.octets = octets
    }

    mutating func byte() -> UInt8 {
        octets.popFirst() ?? 0
    }

    mutating func uint32() -> UInt32 {
        (0..<4).reduce(0) { value, _ in value << 8 | UInt32(byte()) }
    }

    mutating func uint64() -> UInt64 {
        UInt64(uint32()) << 32 | UInt64(uint32())
    }

    mutating func octets(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in byte() }
    }

    mutating func rest() -> [UInt8] {
        defer { octets = [] }
        return Array(octets)
    }
}
