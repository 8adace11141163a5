import Testing
import TrapDecoder
import TrapEvents

/// Datagrams that once crashed the decoder or what the server derives from a decode, kept as they were found,
/// plus a small set of inputs grown by the libFuzzer target (`scripts/fuzz`, corpus in `FuzzCorpus/`).
///
/// Each must decode or be rejected with a `TrapDecodingError`, and whatever decodes must classify and render
/// operator text: the same path `Tests/Fuzz/TrapDecoderFuzzer` exercises, so a crash fails the whole test run.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    // MARK: Findings

    /// An SNMPv2c trap whose snmpTrapOID.0 is snmpTraps.2147483648 (a tenth arc of 2^31 in five octets).
    ///
    /// Classification took the arc as a standard trap number with `Int32(lastArc) - 1`, and `Int32(_:)` traps
    /// for any arc above 2^31−1: one 49-byte datagram from the network stopped the process. Such an arc is not a
    /// standard trap, so RFC 3584 §3.2 makes it enterpriseSpecific with specific-trap = the arc, enterprise =
    /// snmpTraps. Found by reading the decoder while fuzzing (the fuzzer did not reach it: it must change the
    /// arc and five lengths at once).
    ///
    ///     30 2f                                      SEQUENCE (Message), 47 octets
    ///        02 01 01                                version 1 (v2c)
    ///        04 00                                   community ""
    ///        a7 28                                   SNMPv2-Trap-PDU, 40 octets
    ///           02 01 00  02 01 00  02 01 00         request-id 0, error-status 0, error-index 0
    ///           30 1d                                VarBindList, 29 octets
    ///              30 1b                             VarBind, 27 octets
    ///                 06 0a 2b 06 01 06 03 01 01 04 01 00           snmpTrapOID.0
    ///                 06 0d 2b 06 01 06 03 01 01 05 <88 80 80 80 00>  snmpTraps.<arc>, arc in five octets
    static func snmpTrapsTrap(arc: [UInt8]) -> [UInt8] {
        precondition(arc.count == 5, "the lengths above are for a five-octet arc")
        return [
            0x30, 0x2F,
            0x02, 0x01, 0x01,
            0x04, 0x00,
            0xA7, 0x28,
            0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
            0x30, 0x1D,
            0x30, 0x1B,
            0x06, 0x0A, 0x2B, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00,
            0x06, 0x0D, 0x2B, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x05,
        ] + arc
    }

    /// Five-octet arcs around 2^31: the last one that fits Integer32, the one that crashed, and 2^32−1.
    static let largeSnmpTrapsArcs: [([UInt8], UInt32)] = [
        ([0x87, 0xFF, 0xFF, 0xFF, 0x7F], 2_147_483_647),
        ([0x88, 0x80, 0x80, 0x80, 0x00], 2_147_483_648),
        ([0x8F, 0xFF, 0xFF, 0xFF, 0x7F], 4_294_967_295),
    ]

    @Test(arguments: largeSnmpTrapsArcs)
    func snmpTrapsArcAbove2To31IsEnterpriseSpecificNotACrash(_ arc: [UInt8], _ value: UInt32) throws {
        let datagram = Self.snmpTrapsTrap(arc: arc)
        #expect(datagram.count == 49)
        let message = try TrapMessage(decoding: datagram)
        let classification = try #require(message.classify(source: "192.0.2.1"))
        #expect(classification.generic == .enterpriseSpecific)
        #expect(classification.genericTrapNumber == 6)
        #expect(classification.specificTrap == Int64(value))
        #expect(classification.enterprise == OID("1.3.6.1.6.3.1.1.5"))
        #expect(classification.trapOID == OID("1.3.6.1.6.3.1.1.5.\(value)"))
        let text = message.operatorText(processName: "fuzz", classification: classification)
        #expect(text.hasPrefix("Enterprise Specific Trap "))
        #expect(text.contains("Specific trap: \(value) "))
    }

    // MARK: Grown corpus

    /// Every input of `FuzzCorpus.inputs` decodes or fails with an error that points inside the datagram, and
    /// every decode classifies and renders.
    @Test(arguments: FuzzCorpus.inputs)
    func fuzzCorpusInputDecodesOrIsRejectedWithoutCrashing(_ input: String) throws {
        let datagram = try #require(Self.octets(hex: input), "not hex: \(input)")
        do throws(TrapDecodingError) {
            let message = try TrapMessage(decoding: datagram)
            if let classification = message.classify(source: "192.0.2.1") {
                #expect(!message.operatorText(processName: "fuzz", classification: classification).isEmpty)
            } else {
                #expect(message.pdu.typeName == "encrypted", "only an encrypted scopedPDU cannot be classified")
            }
        } catch {
            #expect((0...datagram.count).contains(error.offset), "\(error)")
        }
    }

    @Test func fuzzCorpusIsSmallAndDistinct() {
        #expect(!FuzzCorpus.inputs.isEmpty)
        #expect(FuzzCorpus.inputs.count <= 40)
        #expect(Set(FuzzCorpus.inputs).count == FuzzCorpus.inputs.count)
    }

    /// Lowercase or uppercase hex, two digits per octet; nil for anything else.
    static func octets(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var octets: [UInt8] = []
        octets.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            octets.append(high << 4 | low)
        }
        return octets
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
