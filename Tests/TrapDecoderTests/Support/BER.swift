import TrapDecoder

/// A BER fixture built from its parts, so a test can name the one field it breaks.
///
/// A `BER` is a tree of elements. `encoded` spells it out with minimal definite lengths unless a node asks
/// for another form; `markedOffset` is where the node wrapped in `.marked` starts in the datagram, which is
/// where a `TrapDecodingError` about that node must point. The encoder here is written independently of the
/// decoder (nothing from `TrapDecoder` is used to produce octets), so the two check each other.
indirect enum BER: Sendable {
    /// An element with primitive contents.
    case primitive(UInt8, [UInt8])
    /// An element whose contents are `children`, encoded one after the other.
    case constructed(UInt8, [BER])
    /// `element` with its identifier written as these octets (e.g. the high-tag-number form `bf 24`).
    case identifier([UInt8], BER)
    /// `element` with its length written in `Length` form instead of the minimal one.
    case length(Length, BER)
    /// Octets put in as they are: junk, broken headers.
    case raw([UInt8])
    /// Elements one after the other without a header (two messages in one datagram, junk after one).
    case group([BER])
    /// The element under test: `markedOffset` is where it starts.
    case marked(BER)

    /// How an element's length octets are written.
    enum Length: Sendable {
        /// `0x80 | n` followed by the length in `n` big-endian octets (`81 2a`, `82 00 2a`, `84 00 00 00 2a`).
        case longForm(octets: Int)
        /// `80`, the contents, then the end-of-contents octets `00 00` (forbidden in SNMP).
        case indefinite
        /// Exactly these octets, whatever the contents' size.
        case explicit([UInt8])
    }

    // MARK: Encoding

    /// The octets of the fixture.
    var encoded: [UInt8] {
        var encoder = Encoder()
        encoder.write(self)
        return encoder.bytes
    }

    /// The offset of the `.marked` element in `encoded`; nil if nothing is marked.
    var markedOffset: Int? {
        var encoder = Encoder()
        encoder.write(self)
        return encoder.mark
    }

    private struct Encoder {
        var bytes: [UInt8] = []
        var mark: Int?

        mutating func write(_ node: BER) {
            switch node {
            case .raw(let octets):
                bytes += octets
            case .group(let nodes):
                for node in nodes { write(node) }
            case .marked(let inner):
                mark = bytes.count
                write(inner)
            case .primitive, .constructed, .identifier, .length:
                writeElement(node, identifier: nil, length: nil)
            }
        }

        /// Writes an element, applying the identifier and length overrides met on the way down.
        private mutating func writeElement(_ node: BER, identifier: [UInt8]?, length: Length?) {
            switch node {
            case .identifier(let octets, let inner):
                writeElement(inner, identifier: identifier ?? octets, length: length)
            case .length(let form, let inner):
                writeElement(inner, identifier: identifier, length: length ?? form)
            case .primitive(let tag, let content):
                writeHeaderAndContent(identifier ?? [tag], length, content, innerMark: nil)
            case .constructed(let tag, let children):
                var inner = Encoder()
                for child in children { inner.write(child) }
                writeHeaderAndContent(identifier ?? [tag], length, inner.bytes, innerMark: inner.mark)
            case .raw, .group, .marked:
                preconditionFailure("identifier and length overrides apply to elements only")
            }
        }

        private mutating func writeHeaderAndContent(
            _ identifier: [UInt8], _ length: Length?, _ content: [UInt8], innerMark: Int?
        ) {
            bytes += identifier
            switch length {
            case nil:
                bytes += BER.minimalLength(content.count)
            case .longForm(let octets):
                bytes.append(0x80 | UInt8(octets))
                bytes += BER.bigEndian(UInt64(content.count), octets: octets)
            case .indefinite:
                bytes.append(0x80)
            case .explicit(let octets):
                bytes += octets
            }
            if let innerMark { mark = bytes.count + innerMark }
            bytes += content
            if case .indefinite = length { bytes += [0x00, 0x00] }
        }
    }

    /// The definite length octets in their shortest form (X.690 §10.1).
    static func minimalLength(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var octets = 1
        while count >> (8 * octets) != 0 { octets += 1 }
        return [0x80 | UInt8(octets)] + bigEndian(UInt64(count), octets: octets)
    }

    /// `value` as exactly `octets` big-endian octets.
    static func bigEndian(_ value: UInt64, octets: Int) -> [UInt8] {
        (0..<octets).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}

// MARK: - Values

extension BER {
    /// An INTEGER-shaped element in minimal two's complement (`02 01 2a`).
    static func integer(_ value: Int64, tag: UInt8 = BERTag.integer) -> BER {
        var octets = bigEndian(UInt64(bitPattern: value), octets: 8)
        while octets.count > 1, (octets[0] == 0x00 && octets[1] < 0x80) || (octets[0] == 0xFF && octets[1] >= 0x80) {
            octets.removeFirst()
        }
        return .primitive(tag, octets)
    }

    /// An unsigned element (Counter32, Gauge32, TimeTicks, Counter64) in minimal form, with a leading `00`
    /// when the top bit is set (`41 05 00 ff ff ff ff`).
    static func unsigned(_ tag: UInt8, _ value: UInt64) -> BER {
        var octets = bigEndian(value, octets: 8)
        while octets.count > 1, octets[0] == 0x00 { octets.removeFirst() }
        if octets[0] >= 0x80 { octets.insert(0x00, at: 0) }
        return .primitive(tag, octets)
    }

    static func octetString(_ text: String) -> BER { .primitive(BERTag.octetString, Array(text.utf8)) }
    static func octetString(_ octets: [UInt8]) -> BER { .primitive(BERTag.octetString, octets) }
    static let null = BER.primitive(BERTag.null, [])
    static func ipAddress(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> BER {
        .primitive(BERTag.ipAddress, [a, b, c, d])
    }
    static func timeTicks(_ value: UInt32) -> BER { unsigned(BERTag.timeTicks, UInt64(value)) }
    static func sequence(_ children: [BER]) -> BER { .constructed(BERTag.sequence, children) }

    /// An OBJECT IDENTIFIER from dotted text, e.g. `1.3.6.1.2.1.1.3.0` → `06 08 2b 06 01 02 01 01 03 00`.
    static func oid(_ dotted: String) -> BER {
        .primitive(BERTag.objectIdentifier, oidContent(dotted.split(separator: ".").map { UInt64($0)! }))
    }

    /// The content octets of an OID: `40·X+Y` first, then each arc in base 128 with continuation bits.
    static func oidContent(_ arcs: [UInt64]) -> [UInt8] {
        precondition(arcs.count >= 2)
        var octets: [UInt8] = []
        for subidentifier in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var groups = [UInt8(subidentifier & 0x7F)]
            var rest = subidentifier >> 7
            while rest > 0 {
                groups.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                rest >>= 7
            }
            octets += groups
        }
        return octets
    }

    /// `SEQUENCE { name OBJECT IDENTIFIER, value }`.
    static func varbind(_ oid: String, _ value: BER) -> BER { .sequence([.oid(oid), value]) }
}

// MARK: - Messages

extension BER {
    static let linkDownTrapOID = "1.3.6.1.6.3.1.1.5.3"
    static let netSnmpEnterprise = "1.3.6.1.4.1.8072.3.2.10"
    /// ifIndex.2 = 2, the varbind of SPEC §5's example.
    static let ifIndex2 = BER.varbind("1.3.6.1.2.1.2.2.1.1.2", .integer(2))
    /// An OID under net-snmp's experimental arc, for varbinds that carry the value under test.
    static let testObject = "1.3.6.1.4.1.8072.9999.1.0"

    /// `Message ::= SEQUENCE { version, community, data }` of SNMPv1/v2c (RFC 1157, RFC 1901).
    static func message(
        version: BER, community: BER = .octetString("public"), pdu: BER, trailing: [BER] = []
    ) -> BER {
        .sequence([version, community, pdu] + trailing)
    }

    /// An SNMPv1 `Trap-PDU` (RFC 1157 §4.1.6); by default SPEC §5's linkDown from 192.0.2.7.
    static func trapV1PDU(
        tag: UInt8 = BERTag.trapV1,
        enterprise: BER = .oid(netSnmpEnterprise),
        agentAddress: BER = .ipAddress(192, 0, 2, 7),
        generic: BER = .integer(2),
        specific: BER = .integer(0),
        timeStamp: BER = .timeTicks(4242),
        varbinds: [BER] = [ifIndex2],
        trailing: [BER] = []
    ) -> BER {
        .constructed(tag, [enterprise, agentAddress, generic, specific, timeStamp, .sequence(varbinds)] + trailing)
    }

    /// An SNMPv2-Trap-PDU (or, with `tag`, any PDU of the same shape: InformRequest, Get, Response, …).
    static func notificationPDU(
        tag: UInt8 = BERTag.trapV2,
        requestID: BER = .integer(1),
        errorStatus: BER = .integer(0),
        errorIndex: BER = .integer(0),
        varbinds: [BER] = v2Varbinds(),
        trailing: [BER] = []
    ) -> BER {
        .constructed(tag, [requestID, errorStatus, errorIndex, .sequence(varbinds)] + trailing)
    }

    /// sysUpTime.0, snmpTrapOID.0, then `rest` (RFC 3416 §4.2.6).
    static func v2Varbinds(
        upTime: UInt32 = 4242, trapOID: String = linkDownTrapOID, _ rest: [BER] = [ifIndex2]
    ) -> [BER] {
        [.varbind("1.3.6.1.2.1.1.3.0", .timeTicks(upTime)), .varbind("1.3.6.1.6.3.1.1.4.1.0", .oid(trapOID))] + rest
    }

    /// A whole SNMPv1 trap message.
    static func v1Trap(
        version: BER = .integer(0), community: BER = .octetString("public"), pdu: BER = trapV1PDU()
    ) -> BER {
        message(version: version, community: community, pdu: pdu)
    }

    /// A whole SNMPv2c trap message.
    static func v2cTrap(
        version: BER = .integer(1), community: BER = .octetString("public"), pdu: BER = notificationPDU()
    ) -> BER {
        message(version: version, community: community, pdu: pdu)
    }

    /// A v2c trap whose last varbind carries `value`, marked.
    static func v2cCarrying(_ value: BER) -> BER {
        v2cTrap(pdu: notificationPDU(varbinds: v2Varbinds([.varbind(testObject, .marked(value))])))
    }

    /// A v1 trap whose only varbind carries `value`, marked.
    static func v1Carrying(_ value: BER) -> BER {
        v1Trap(pdu: trapV1PDU(varbinds: [.varbind(testObject, .marked(value))]))
    }

    /// An SNMPv3 message (RFC 3412 §6) with USM parameters (RFC 3414 §2.4) and `data`: a plaintext scopedPDU
    /// (see `scopedPDU`) or an encrypted one (an OCTET STRING).
    static func v3Message(flags: UInt8 = 0x00, data: BER) -> BER {
        .sequence([
            .integer(3),
            .sequence([.integer(4242), .integer(65507), .octetString([flags]), .integer(3)]),
            .octetString(
                BER.sequence([
                    .octetString([0x80, 0x00, 0x1F, 0x88, 0x80, 0x01]),  // msgAuthoritativeEngineID
                    .integer(7),  // msgAuthoritativeEngineBoots
                    .integer(1234),  // msgAuthoritativeEngineTime
                    .octetString("operator"),  // msgUserName
                    .octetString([]),  // msgAuthenticationParameters
                    .octetString([]),  // msgPrivacyParameters
                ]).encoded),
            data,
        ])
    }

    /// `ScopedPDU ::= SEQUENCE { contextEngineID, contextName, data }`.
    static func scopedPDU(_ pdu: BER) -> BER {
        .sequence([.octetString([0x80, 0x00, 0x1F, 0x88, 0x80, 0x01]), .octetString([]), pdu])
    }
}

// MARK: - Reading fixtures back

extension BER {
    /// Parses octets into a tree of primitive and constructed elements (low-tag-number, definite lengths),
    /// so corpus datagrams can be re-encoded with other length forms; nil if they are not such BER.
    static func parse(_ octets: ArraySlice<UInt8>) -> [BER]? {
        var rest = octets
        var elements: [BER] = []
        while let tag = rest.popFirst() {
            guard tag & 0x1F != 0x1F, let first = rest.popFirst(), first != 0x80, first != 0xFF else { return nil }
            var length = Int(first)
            if first > 0x80 {
                let count = Int(first & 0x7F)
                guard count <= 4, rest.count >= count else { return nil }
                length = rest.prefix(count).reduce(0) { $0 << 8 | Int($1) }
                rest = rest.dropFirst(count)
            }
            guard rest.count >= length else { return nil }
            let content = rest.prefix(length)
            rest = rest.dropFirst(length)
            if tag & 0x20 != 0 {
                guard let children = parse(content) else { return nil }
                elements.append(.constructed(tag, children))
            } else {
                elements.append(.primitive(tag, Array(content)))
            }
        }
        return elements
    }

    /// The number of elements in the tree (depth-first), the range of `wrappingElement(at:_:)`.
    var elementCount: Int {
        switch self {
        case .primitive: return 1
        case .constructed(_, let children): return 1 + children.reduce(0) { $0 + $1.elementCount }
        case .group(let nodes): return nodes.reduce(0) { $0 + $1.elementCount }
        case .identifier(_, let inner), .length(_, let inner), .marked(let inner): return inner.elementCount
        case .raw: return 0
        }
    }

    /// The tree with its `index`-th element (depth-first, from 0) replaced by `wrap(element)`.
    func wrappingElement(at index: Int, _ wrap: (BER) -> BER) -> BER {
        var counter = 0
        return wrapping(index, &counter, wrap)
    }

    private func wrapping(_ target: Int, _ counter: inout Int, _ wrap: (BER) -> BER) -> BER {
        switch self {
        case .primitive:
            defer { counter += 1 }
            return counter == target ? wrap(self) : self
        case .constructed(let tag, let children):
            let index = counter
            counter += 1
            var rewritten: [BER] = []
            for child in children { rewritten.append(child.wrapping(target, &counter, wrap)) }
            let node = BER.constructed(tag, rewritten)
            return index == target ? wrap(node) : node
        case .group(let nodes):
            var rewritten: [BER] = []
            for node in nodes { rewritten.append(node.wrapping(target, &counter, wrap)) }
            return .group(rewritten)
        case .identifier, .length, .marked, .raw:
            return self
        }
    }

    /// Offsets of every length octet that starts an element's length, found by walking the octets as BER as
    /// far as they parse; the mutation test tweaks these.
    static func lengthOffsets(in octets: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        collectLengthOffsets(octets[...], into: &offsets)
        return offsets
    }

    private static func collectLengthOffsets(_ octets: ArraySlice<UInt8>, into offsets: inout [Int]) {
        var rest = octets
        while let tag = rest.popFirst(), tag & 0x1F != 0x1F, let first = rest.first {
            offsets.append(rest.startIndex)
            rest = rest.dropFirst()
            var length = Int(first)
            if first >= 0x80 {
                let count = Int(first & 0x7F)
                guard count >= 1, count <= 4, rest.count >= count else { return }
                length = rest.prefix(count).reduce(0) { $0 << 8 | Int($1) }
                rest = rest.dropFirst(count)
            }
            guard rest.count >= length else { return }
            let content = rest.prefix(length)
            rest = rest.dropFirst(length)
            // Constructed elements and OCTET STRINGs (v3 security parameters hold BER) are walked into.
            if tag & 0x20 != 0 || tag == BERTag.octetString {
                collectLengthOffsets(content, into: &offsets)
            }
        }
    }
}
