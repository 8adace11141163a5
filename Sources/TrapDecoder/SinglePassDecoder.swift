/// The fast path of `TrapMessage(decoding:)`: well-formed SNMPv1 and SNMPv2c notifications, decoded in one pass
/// over the datagram's bytes.
///
/// Why a second decoder: the reference decoder (`TrapMessage+Decoding.swift`, built on `BERReader`) makes a
/// reader, an element and a slice for every TLV and checks each rule where the grammar puts it, which is clear
/// but costs about as much as net-snmp's whole parse. This one reads identifier, length and integer octets at
/// integer positions of the datagram's buffer, is inlined into one function (`@inline(always)`: the compiler's
/// heuristics otherwise leave the value decoder out of line and copy every value), and makes a view of the
/// datagram only for the values that the message keeps.
///
/// Contract: it accepts a subset of what the reference decoder accepts and, for those datagrams, returns the
/// identical message. Everything else makes it give up (`Unsupported`) without saying why, and the caller runs
/// the reference decoder, which reports the typed error with its offset and reason. It gives up on SNMPv3
/// messages, on every malformed datagram, and on one legal but rare encoding that would only complicate it: an
/// OID sub-identifier of five octets (a value from 2^28 up). Errors are therefore defined in one place, and the
/// checks here only have to make sure that it never accepts more than the reference decoder.
///
/// Memory safety rests on one invariant: `position <= limit <= bytes.count` for every `limit` passed in, since
/// each limit is the end of the buffer or the end of an enclosing element's contents as `header(within:)` computed
/// it after checking that they fit. Every read is at an index below such a limit (the eight-octet loads of
/// `loadWord` only where eight octets remain before one). The same invariant keeps the wrapping arithmetic
/// (`&+`, `&-`) on positions in `0...bytes.count`, so it never wraps.
struct SinglePassDecoder {
    /// Thrown to hand the datagram to the reference decoder; it carries nothing, that decoder finds the reason.
    struct Unsupported: Error {}

    /// The datagram's octets; index 0 is the datagram's `startIndex`.
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Index in `bytes` of the next unread octet.
    private var position = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Decodes a well-formed SNMPv1 or SNMPv2c notification, or gives up.
    ///
    /// The datagram is passed down to the places that make views of it rather than stored: a stored copy would
    /// cost a retain and a release per decode.
    static func decode(_ datagram: ArraySlice<UInt8>) throws(Unsupported) -> TrapMessage {
        try datagram.withUnsafeBufferPointer { bytes throws(Unsupported) in
            var decoder = SinglePassDecoder(bytes: bytes)
            return try decoder.message(datagram)
        }
    }

    /// Decodes with the fast path, or else with the reference decoder: `TrapMessage(decoding:)`.
    ///
    /// The fallback is here, in the function that builds the message, and not in a caller that catches
    /// `Unsupported`: there the message from either decoder went through a temporary, two copies of its 144 bytes.
    @inline(always)
    static func decodeOrFallBack(_ datagram: ArraySlice<UInt8>) throws(TrapDecodingError) -> TrapMessage {
        try datagram.withUnsafeBufferPointer { bytes throws(TrapDecodingError) in
            var decoder = SinglePassDecoder(bytes: bytes)
            do {
                return try decoder.message(datagram)
            } catch {
                return try TrapMessage(referenceDecoding: datagram)
            }
        }
    }

    // MARK: Message and PDUs

    /// Message ::= SEQUENCE { version INTEGER, community OCTET STRING, data PDU }, filling the datagram.
    @inline(always)
    private mutating func message(_ datagram: ArraySlice<UInt8>) throws(Unsupported) -> TrapMessage {
        let end = try enter(BERTag.sequence, within: bytes.count)
        guard end == bytes.count else { throw Unsupported() }
        let version: SNMPVersion
        switch try int32(upTo: enter(BERTag.integer, within: end)) {
        case 0: version = .v1
        case 1: version = .v2c
        default: throw Unsupported()  // SNMPv3, or no SNMP version at all
        }
        let communityEnd = try enter(BERTag.octetString, within: end)
        let community = view(of: datagram, upTo: communityEnd)
        let (tag, pduEnd) = try header(within: end)
        guard pduEnd == end else { throw Unsupported() }
        switch (tag, version) {
        case (BERTag.trapV1, .v1):
            let pdu = try trapV1(datagram, end: end)
            return TrapMessage.make(version: version, community: community, pdu: .trapV1(pdu))
        case (BERTag.trapV2, .v2c), (BERTag.informRequest, .v2c):
            let pdu = try notification(datagram, end: end)
            return TrapMessage.make(
                version: version, community: community, pdu: tag == BERTag.trapV2 ? .trapV2(pdu) : .inform(pdu))
        default:
            throw Unsupported()
        }
    }

    /// The contents of a Trap-PDU (RFC 1157), up to `end`.
    @inline(always)
    private mutating func trapV1(_ datagram: ArraySlice<UInt8>, end: Int) throws(Unsupported) -> TrapV1PDU {
        let enterprise = try oid(of: datagram, upTo: enter(BERTag.objectIdentifier, within: end))
        let agentAddress = try ipAddress(upTo: enter(BERTag.ipAddress, within: end))
        let genericTrap = try int32(upTo: enter(BERTag.integer, within: end))
        let specificTrap = try int32(upTo: enter(BERTag.integer, within: end))
        let timeStamp = try uint32(upTo: enter(BERTag.timeTicks, within: end))
        let varbinds = try varbinds(datagram, end: end, version: .v1)
        return TrapV1PDU(
            enterprise: enterprise, agentAddress: agentAddress, genericTrap: genericTrap, specificTrap: specificTrap,
            timeStamp: timeStamp, varbinds: varbinds)
    }

    /// The contents of an SNMPv2-Trap-PDU or InformRequest-PDU (RFC 3416), up to `end`.
    @inline(always)
    private mutating func notification(_ datagram: ArraySlice<UInt8>, end: Int) throws(Unsupported) -> NotificationPDU {
        let requestID = try int32(upTo: enter(BERTag.integer, within: end))
        let errorStatus = try int32(upTo: enter(BERTag.integer, within: end))
        let errorIndex = try int32(upTo: enter(BERTag.integer, within: end))
        let varbinds = try varbinds(datagram, end: end, version: .v2c)
        return NotificationPDU(
            requestID: requestID, errorStatus: errorStatus, errorIndex: errorIndex, varbinds: varbinds)
    }

    // MARK: Variable bindings

    /// The VarBindList, which must end the PDU at `end`: every VarBind is checked here, and the list is kept as a
    /// view of its contents whose elements are read when used (`VarBindList`), so no VarBind is made here.
    @inline(always)
    private mutating func varbinds(
        _ datagram: ArraySlice<UInt8>, end: Int, version: SNMPVersion
    ) throws(Unsupported) -> VarBindList {
        let listEnd = try enter(BERTag.sequence, within: end)
        guard listEnd == end else { throw Unsupported() }
        let start = position
        var count = 0
        while position < listEnd {
            try checkVarBind(within: listEnd, version: version)
            count &+= 1
        }
        // An empty list needs no view, which would cost a retain and a release of the datagram.
        guard count > 0 else { return VarBindList() }
        return VarBindList(validatedEncoding: view(of: datagram, from: start, upTo: listEnd), count: count)
    }

    /// VarBind ::= SEQUENCE { name OBJECT IDENTIFIER, value }, the next element before `limit`.
    @inline(always)
    private mutating func checkVarBind(within limit: Int, version: SNMPVersion) throws(Unsupported) {
        let end = try enter(BERTag.sequence, within: limit)
        try checkOID(upTo: enter(BERTag.objectIdentifier, within: end))
        try checkValue(within: end, version: version)
        guard position == end else { throw Unsupported() }
    }

    /// A varbind value of any SMI type; the SNMPv2 types (Counter64 and the exceptions) not in SNMPv1 messages.
    ///
    /// The checks of each type's decoder below, without making the value.
    @inline(always)
    private mutating func checkValue(within limit: Int, version: SNMPVersion) throws(Unsupported) {
        let (tag, end) = try header(within: limit)
        switch tag {
        case BERTag.integer: _ = try int32(upTo: end)
        case BERTag.octetString, BERTag.opaque: position = end
        case BERTag.null: try empty(upTo: end)
        case BERTag.objectIdentifier: try checkOID(upTo: end)
        case BERTag.ipAddress: _ = try ipAddress(upTo: end)
        case BERTag.counter32, BERTag.gauge32, BERTag.timeTicks: _ = try unsigned(upTo: end, maximumOctets: 5)
        case BERTag.counter64 where version != .v1: _ = try unsigned(upTo: end, maximumOctets: 9)
        case BERTag.noSuchObject where version != .v1, BERTag.noSuchInstance where version != .v1,
            BERTag.endOfMibView where version != .v1:
            try empty(upTo: end)
        default: throw Unsupported()
        }
    }

    // MARK: Identifier and length octets

    /// Reads the identifier and length octets of the element at `position`, which must end by `limit`; moves
    /// to its contents and returns the identifier and the end of the contents.
    ///
    /// Lengths as the reference decoder takes them: short form, or long form with 1–4 length octets, minimal or
    /// not. The identifier is whatever octet is there; callers accept only the SNMP tags, none of which uses the
    /// high-tag-number form.
    @inline(always)
    private mutating func header(within limit: Int) throws(Unsupported) -> (tag: UInt8, end: Int) {
        guard limit &- position >= 2 else { throw Unsupported() }
        let tag = bytes[position]
        var length = Int(bytes[position &+ 1])
        position &+= 2
        if length >= 0x80 {
            // 0x80 (indefinite) has no length octets and 0xFF (reserved) 127: both fall outside 1...4.
            let octetCount = length & 0x7F
            guard octetCount >= 1, octetCount <= 4, limit &- position >= octetCount else { throw Unsupported() }
            length = 0
            for _ in 0..<octetCount {
                length = length << 8 | Int(bytes[position])
                position &+= 1
            }
        }
        guard limit &- position >= length else { throw Unsupported() }
        return (tag, position &+ length)
    }

    /// Reads the header of an element with identifier `tag` before `limit`; returns the end of its contents.
    @inline(always)
    private mutating func enter(_ tag: UInt8, within limit: Int) throws(Unsupported) -> Int {
        let (found, end) = try header(within: limit)
        guard found == tag else { throw Unsupported() }
        return end
    }

    // MARK: Contents

    /// The contents up to `end` as a view of the datagram.
    @inline(always)
    private mutating func view(of datagram: ArraySlice<UInt8>, upTo end: Int) -> ArraySlice<UInt8> {
        let start = position
        position = end
        return view(of: datagram, from: start, upTo: end)
    }

    /// Octets `start..<end` as a view of the datagram.
    @inline(always)
    private func view(of datagram: ArraySlice<UInt8>, from start: Int, upTo end: Int) -> ArraySlice<UInt8> {
        datagram[(datagram.startIndex &+ start)..<(datagram.startIndex &+ end)]
    }

    /// Contents that must be empty (NULL and the SNMPv2 exceptions).
    @inline(always)
    private func empty(upTo end: Int) throws(Unsupported) {
        guard end == position else { throw Unsupported() }
    }

    /// An Integer32 in 1–4 two's complement octets (non-minimal accepted, as by `BERReader.int32`).
    @inline(always)
    private mutating func int32(upTo end: Int) throws(Unsupported) -> Int32 {
        guard end &- position >= 1, end &- position <= 4 else { throw Unsupported() }
        var value = Int32(Int8(bitPattern: bytes[position]))  // the first octet carries the sign
        var index = position &+ 1
        while index < end {
            value = value << 8 | Int32(bytes[index])
            index &+= 1
        }
        position = end
        return value
    }

    /// A non-negative integer in at most `maximumOctets` octets, where the last allowed octet count is only for a
    /// leading zero (as by `BERReader.uint32` and `uint64`): 5 octets for 32-bit types, 9 for Counter64.
    @inline(always)
    private mutating func unsigned(upTo end: Int, maximumOctets: Int) throws(Unsupported) -> UInt64 {
        let count = end &- position
        guard count >= 1, count <= maximumOctets else { throw Unsupported() }
        let first = bytes[position]
        guard first < 0x80, count < maximumOctets || first == 0 else { throw Unsupported() }
        var value: UInt64 = 0
        var index = position
        while index < end {
            value = value << 8 | UInt64(bytes[index])
            index &+= 1
        }
        position = end
        return value
    }

    /// A Counter32, Gauge32 or TimeTicks; `unsigned` with 5 octets at most keeps it below 2^32.
    @inline(always)
    private mutating func uint32(upTo end: Int) throws(Unsupported) -> UInt32 {
        UInt32(try unsigned(upTo: end, maximumOctets: 5))
    }

    /// An IpAddress (or agent-addr): exactly four octets.
    @inline(always)
    private mutating func ipAddress(upTo end: Int) throws(Unsupported) -> IPv4Address {
        guard end &- position == 4 else { throw Unsupported() }
        let value = UInt32(bytes[position]) << 24 | UInt32(bytes[position &+ 1]) << 16
            | UInt32(bytes[position &+ 2]) << 8 | UInt32(bytes[position &+ 3])
        position = end
        return IPv4Address(value)
    }

    /// An OBJECT IDENTIFIER whose sub-identifiers have 1–4 octets; longer ones go to the reference decoder.
    ///
    /// With at most 4 octets a sub-identifier is below 2^28, so none of the range rules of `OID(encoded:)` can
    /// fail; what remains is: not empty, the last octet ends a sub-identifier, no sub-identifier starts with
    /// the padding octet 0x80, and at most 127 sub-identifiers (the first holds two arcs: 128 arcs in all).
    ///
    /// Eight octets at a time (most arcs are below 128, so most words have no continued octet and cost a handful
    /// of instructions). Up to 32 octets, inline: checked on the words that are kept.
    @inline(always)
    private mutating func oid(of datagram: ArraySlice<UInt8>, upTo end: Int) throws(Unsupported) -> OID {
        let start = position
        guard end &- start <= OID.InlineOctets.capacity else {
            try checkOID(upTo: end)
            return OID(longView: view(of: datagram, from: start, upTo: end))
        }
        return OID(inline: try shortOID(upTo: end))
    }


    /// An OID of at most 32 octets, checked on the four words it is copied into (the octets past it are zero
    /// there, which no rule objects to); 32 octets hold at most 32 sub-identifiers, so the count needs no check.
    @inline(always)
    private mutating func shortOID(upTo end: Int) throws(Unsupported) -> OID.InlineOctets {
        guard end > position, bytes[end &- 1] < 0x80 else { throw Unsupported() }
        let octets = OID.InlineOctets(
            copying: bytes.baseAddress.unsafelyUnwrapped + position, count: end &- position,
            readable: bytes.count &- position)
        var previous: UInt64 = 0
        try Self.checkSubidentifiers(octets.w0, previous: &previous)
        try Self.checkSubidentifiers(octets.w1, previous: &previous)
        try Self.checkSubidentifiers(octets.w2, previous: &previous)
        try Self.checkSubidentifiers(octets.w3, previous: &previous)
        position = end
        return octets
    }

    /// `checkSubidentifiers(_:continued:previous:)` for a word whose octets may all end sub-identifiers;
    /// `previous` becomes this word's continuation bits.
    @inline(always)
    private static func checkSubidentifiers(_ word: UInt64, previous: inout UInt64) throws(Unsupported) {
        let continued = word & continuationBits
        if continued != 0 {
            try checkSubidentifiers(word, continued: continued, previous: previous)
        }
        previous = continued
    }

    /// The checks of `oid(of:upTo:)`, moving past the contents: for an OID that is not kept (a varbind's, which
    /// `VarBindList` reads when it is used), and for one too long to keep inline.
    ///
    /// Eight octets at a time while eight remain, then octet by octet: for an OID that is not kept, cheaper than
    /// the masked words of `shortOID`.
    @inline(always)
    private mutating func checkOID(upTo end: Int) throws(Unsupported) {
        guard end > position, bytes[end &- 1] < 0x80 else { throw Unsupported() }
        var subidentifiers = 0
        var index = position
        var previous: UInt64 = 0  // the continuation bits of the eight octets before `index` (none before the OID)
        while end &- index >= 8 {
            let word = loadWord(at: index)
            let continued = word & Self.continuationBits
            if continued != 0 {
                try Self.checkSubidentifiers(word, continued: continued, previous: previous)
                subidentifiers &-= Self.countBytes(continued)
            }
            subidentifiers &+= 8
            previous = continued
            index &+= 8
        }
        // Continued octets at the end of the words read (at most 3: four would have been rejected).
        var continuedRun = (~previous & Self.continuationBits).leadingZeroBitCount &>> 3
        while index < end {
            let octet = bytes[index]
            if octet < 0x80 {
                subidentifiers &+= 1
                continuedRun = 0
            } else {
                guard continuedRun < 3, continuedRun > 0 || octet != 0x80 else { throw Unsupported() }
                continuedRun &+= 1
            }
            index &+= 1
        }
        guard subidentifiers < OID.maximumArcs else { throw Unsupported() }
        position = end
    }

    /// Bit 7 of every byte of a word: the continuation bits of eight OID octets.
    private static let continuationBits: UInt64 = 0x8080_8080_8080_8080

    /// Eight octets from `index` (which has eight before the limit) as a word, octet `index` in the lowest byte.
    @inline(always)
    private func loadWord(at index: Int) -> UInt64 {
        assert(index >= 0 && bytes.count &- index >= 8, "eight octets must remain")
        let address = UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped + index)
        return UInt64(littleEndian: address.loadUnaligned(as: UInt64.self))
    }

    /// The rules for eight OID octets that include continued ones (`continued`: their bit 7s), given the
    /// continuation bits of the eight octets before them (`previous`, zero at the start of the OID).
    ///
    /// The continuation bits shifted up by one, two and three bytes, topped up from `previous`, tell for each
    /// octet whether the octets before it are continued: four in a row make a sub-identifier of five octets.
    /// An octet 0x80 (a zero byte of `word ^ continuationBits`, found without carries between bytes) after an
    /// octet that is not continued starts a sub-identifier with padding.
    @inline(always)
    private static func checkSubidentifiers(_ word: UInt64, continued: UInt64, previous: UInt64) throws(Unsupported) {
        let before1 = continued << 8 | previous >> 56
        let before2 = continued << 16 | previous >> 48
        let before3 = continued << 24 | previous >> 40
        guard continued & before1 & before2 & before3 == 0 else { throw Unsupported() }
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let flipped = word ^ continuationBits
        let padding = ~((flipped & low7 &+ low7) | flipped) & continuationBits
        guard padding & ~before1 == 0 else { throw Unsupported() }
    }

    /// How many bytes of `bits` have bit 7 set (the multiplication sums the bytes into the top one, at most 8).
    @inline(always)
    private static func countBytes(_ bits: UInt64) -> Int {
        Int(truncatingIfNeeded: ((bits &>> 7) &* 0x0101_0101_0101_0101) &>> 56)
    }
}
