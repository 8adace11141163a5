import SNMPSecurity
import Testing
import TrapDecoder

/// Damaged datagrams end in a typed error, never a crash, and cost no more than their size.
@Suite("USM on damaged input")
struct MalformedInputTests {
    static let authPrivMessages: [(String, [UInt8])] = [
        ("our AES trap", Fixtures.trap()),
        ("our DES inform", Fixtures.inform()),
    ] + NetSNMPCaptures.all.map { ($0.name, $0.datagram) }

    @Test(arguments: authPrivMessages)
    func everyProperPrefixOfAnAuthPrivMessageIsAParseError(_ name: String, _ datagram: [UInt8]) throws {
        let table = try USMUserTable(users: Fixtures.users + NetSNMPCaptures.all.map(\.user),
            localEngineID: Fixtures.localEngineID)
        var processor = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 11, time: 1000, at: 0))
        _ = try processor.process(datagram[...], now: 0)
        for length in 0..<datagram.count {
            #expect(throws: USMError(.snmpInASNParseErrs, at: 0, "")) {
                _ = try processor.process(datagram.prefix(length), now: 0)
            }
        }
    }

    @Test func everySingleOctetChangeIsRefusedOrDecodedWithoutACrash() {
        var processor = Fixtures.processor()
        let datagram = Fixtures.trap()
        var accepted = 0
        for index in datagram.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var mutant = datagram
                mutant[index] ^= mask
                if (try? processor.process(mutant[...], now: 0)) != nil {
                    accepted += 1
                }
            }
        }
        // The HMAC covers every octet (its own field zeroed), so whatever a change does to the parse, it cannot pass.
        #expect(accepted == 0)
    }
}
