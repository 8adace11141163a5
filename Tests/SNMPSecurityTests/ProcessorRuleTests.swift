@testable import SNMPSecurity
import Testing
import TrapDecoder

/// RFC 3412 §7.2 and RFC 3414 §3.2, one rule per row: which counter each faulty message increments.
///
/// The messages are valid ones from the library's builder (`Fixtures`) with one field edited; "re-signed" ones carry
/// a correct HMAC for the edit, so the check after authentication is the one that fails.
@Suite("USM incoming processing rules")
struct ProcessorRuleTests {
    static func process(_ datagram: [UInt8], processor: USMProcessor = Fixtures.processor()) throws(USMError) {
        var processor = processor
        _ = try processor.process(datagram[...], now: 0)
    }

    static let remoteUser = Fixtures.user("trap-sha256-aes", on: Fixtures.remoteEngineID)
    static let informUser = Fixtures.user("inform-sha-des", on: Fixtures.localEngineID)

    /// msgFlags as the builder writes it: 04 01 FLAGS, then msgSecurityModel 02 01 03.
    static func flags(_ old: UInt8, _ new: UInt8, in datagram: [UInt8]) -> [UInt8] {
        Resigning.replacing(
            [0x04, 0x01, old, 0x02, 0x01, 0x03], with: [0x04, 0x01, new, 0x02, 0x01, 0x03], in: datagram)
    }

    static let rules: [(String, [UInt8], USMError.Kind)] = [
        ("cut short", Array(Fixtures.trap().dropLast(3)), .snmpInASNParseErrs),
        ("msgSecurityModel 2", otherSecurityModel(), .snmpUnknownSecurityModels),
        ("msgFlags 0x02: privacy without authentication",
         flags(0x00, 0x02, in: Fixtures.trap("trap-noauth", level: .noAuthNoPriv)), .snmpInvalidMsgs),
        ("discovery probe: empty engine ID", Fixtures.discoveryProbe(), .usmStatsUnknownEngineIDs),
        ("engine nobody configured",
         Resigning.replacing(Fixtures.remoteEngineID, with: hex("800007e5800badc0ffee5eed"), in: Fixtures.trap()),
         .usmStatsUnknownEngineIDs),
        ("unknown user on a known engine",
         Resigning.replacing(Array("trap-md5".utf8), with: Array("intruder".utf8),
            in: Fixtures.trap("trap-md5", level: .authNoPriv)),
         .usmStatsUnknownUserNames),
        ("authPriv for a user without privacy", flags(0x01, 0x03, in: Fixtures.trap("trap-md5", level: .authNoPriv)),
         .usmStatsUnsupportedSecLevels),
        ("authNoPriv for a user whose minimum is authPriv",
         Fixtures.trap("trap-strict", level: .authNoPriv), .usmStatsUnsupportedSecLevels),
        ("one bit of the HMAC flipped", flipped(authParameterOffset(Fixtures.trap()), in: Fixtures.trap()),
         .usmStatsWrongDigests),
        ("one ciphertext octet changed, not re-signed", flipped(Fixtures.trap().count - 1, in: Fixtures.trap()),
         .usmStatsWrongDigests),
        ("HMAC of the wrong length", wrongLengthMAC(), .usmStatsWrongDigests),
        ("authoritative: boots one less than ours (re-signed)",
         Resigning.signed(
            Resigning.replacing([0x02, 0x01, 0x0b], with: [0x02, 0x01, 0x0a], in: Fixtures.inform()), by: informUser),
         .usmStatsNotInTimeWindows),
        ("authoritative: time 151 s ahead of ours", Fixtures.inform(time: 1151), .usmStatsNotInTimeWindows),
        ("authoritative: time 151 s behind ours", Fixtures.inform(time: 849), .usmStatsNotInTimeWindows),
        ("one ciphertext octet changed, re-signed",
         Resigning.signed(flipped(Fixtures.trap().count - 40, in: Fixtures.trap()), by: remoteUser),
         .usmStatsDecryptionErrors),
        ("msgPrivacyParameters of 7 octets (re-signed)", sevenOctetSalt(), .usmStatsDecryptionErrors),
        ("DES encryptedPDU not whole blocks (re-signed)", desCiphertextCut(), .usmStatsDecryptionErrors),
        ("authentic GetRequest: no application for it", Fixtures.trap(type: .getRequest), .snmpUnknownPDUHandlers),
        ("authentic inform to another engine than ours",
         Fixtures.trap(type: .informRequest), .usmStatsUnknownEngineIDs),
    ]

    @Test(arguments: rules)
    func faultyMessageIsRefusedUnderItsCounter(_ name: String, _ datagram: [UInt8], _ kind: USMError.Kind) {
        #expect(throws: USMError(kind, at: 0, "")) {
            try Self.process(datagram)
        }
    }

    @Test func validMessagesOfTheFixturesAreAccepted() throws {
        try Self.process(Fixtures.trap())
        try Self.process(Fixtures.inform())
        try Self.process(Fixtures.trap("trap-noauth", level: .noAuthNoPriv))
        try Self.process(Fixtures.trap("trap-strict", level: .authPriv))
    }

    // MARK: Time windows

    @Test(arguments: [Int32(850), 1000, 1150])
    func authoritativeWindowIsInclusiveAt150Seconds(_ time: Int32) throws {
        try Self.process(Fixtures.inform(time: time))
    }

    @Test func authoritativeEngineAtMaximumBootsAcceptsNothing() {
        // RFC 3414 §2.2.2: snmpEngineBoots 2147483647 means the engine must be reconfigured.
        #expect(throws: USMError(.usmStatsNotInTimeWindows, at: 0, "")) {
            try Self.process(Fixtures.inform(boots: Int32.max), processor: Fixtures.processor(boots: Int32.max))
        }
    }

    @Test func authoritativeWindowFollowsTheInjectedClock() throws {
        var processor = Fixtures.processor()
        // 200 s later our time is 1200: a message stamped 1000 is 200 s behind.
        #expect(throws: USMError(.usmStatsNotInTimeWindows, at: 0, "")) {
            _ = try processor.process(Fixtures.inform(time: 1000)[...], now: 200)
        }
        _ = try processor.process(Fixtures.inform(time: 1200)[...], now: 200)
    }

    /// RFC 3414 §3.2 step 7b: "less than the local notion of snmpEngineTime minus 150 seconds" is outside, so
    /// exactly 150 s behind is inside (the corpus pair trap-…-150s-older / neg-notInTimeWindow-151s-older).
    @Test(arguments: [(Int32(4850), true), (4849, false), (6000, true)])
    func remoteWindowRejectsOnlyMoreThan150SecondsBehindTheNotion(_ time: Int32, _ accepted: Bool) throws {
        var processor = Fixtures.processor()
        processor.remoteEngines.set(engineID: Fixtures.remoteEngineID, boots: 5, time: 5000, at: 0)
        if accepted {
            _ = try processor.process(Fixtures.trap(time: time)[...], now: 0)
        } else {
            #expect(throws: USMError(.usmStatsNotInTimeWindows, at: 0, "")) {
                _ = try processor.process(Fixtures.trap(time: time)[...], now: 0)
            }
        }
    }

    @Test func remoteEngineLearntFromAnAuthenticMessageRejectsAnOlderBoot() throws {
        var processor = Fixtures.processor()
        _ = try processor.process(Fixtures.trap(boots: 5, time: 5000)[...], now: 0)
        #expect(processor.remoteEngines.entry(for: Fixtures.remoteEngineID)?.boots == 5)
        #expect(throws: USMError(.usmStatsNotInTimeWindows, at: 0, "")) {
            _ = try processor.process(Fixtures.trap(boots: 4, time: 9000)[...], now: 10)
        }
        // The notion advances with our clock: 300 s later a message stamped 5000 is 300 s behind.
        #expect(throws: USMError(.usmStatsNotInTimeWindows, at: 0, "")) {
            _ = try processor.process(Fixtures.trap(boots: 5, time: 5000)[...], now: 300)
        }
        _ = try processor.process(Fixtures.trap(boots: 6, time: 1)[...], now: 300)
        #expect(processor.remoteEngines.entry(for: Fixtures.remoteEngineID)?.boots == 6)
    }

    @Test func unauthenticatedMessageDoesNotTouchTheRemoteCache() throws {
        var processor = Fixtures.processor()
        _ = try processor.process(Fixtures.trap("trap-noauth", level: .noAuthNoPriv, boots: 9)[...], now: 0)
        #expect(processor.remoteEngines.entry(for: Fixtures.remoteEngineID) == nil)
    }

    @Test func remoteCacheKeepsAtMostItsCapacity() {
        var cache = USMRemoteEngineCache(capacity: 2)
        for index in 0..<5 {
            _ = cache.admit(engineID: [0x80, 0, 0, 0, UInt8(index)], boots: 1, time: 1, at: Int64(index))
        }
        #expect(cache.entries.count == 2)
        #expect(cache.entry(for: [0x80, 0, 0, 0, 4]) != nil)
        #expect(cache.entry(for: [0x80, 0, 0, 0, 0]) == nil)
    }

    // MARK: Edits

    static func authParameterOffset(_ datagram: [UInt8]) -> Int {
        try! SNMPv3Envelope(decoding: datagram[...]).header.usm!.authenticationParameters.startIndex
    }

    static func flipped(_ index: Int, in datagram: [UInt8]) -> [UInt8] {
        var bytes = datagram
        bytes[index] ^= 0x01
        return bytes
    }

    /// A SHA-256 user's message whose MAC field has 12 octets, as HMAC-SHA-96 would write.
    static func wrongLengthMAC() -> [UInt8] {
        RawV3Message(
            flags: 0x01, engineID: Fixtures.remoteEngineID, boots: 5, time: 5000,
            userName: Array("trap-sha256-aes".utf8), authParameters: Array(repeating: 0, count: 12),
            data: .plaintext(Fixtures.scopedPDU())
        ).encoded()
    }

    /// An authentic AES message whose msgPrivacyParameters has 7 octets.
    static func sevenOctetSalt() -> [UInt8] {
        let salt: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let message = RawV3Message(
            flags: 0x03, engineID: Fixtures.remoteEngineID, boots: 5, time: 5000, userName: remoteUser.nameOctets,
            authParameters: Array(repeating: 0, count: 24), privParameters: Array(salt.prefix(7)),
            data: .encrypted(
                RawV3Message.encrypt(Fixtures.scopedPDU(), for: remoteUser, salt: salt, boots: 5, time: 5000)))
        return Resigning.signed(message.encoded(), by: remoteUser)
    }

    /// An authentic DES inform whose encryptedPDU lost its last octet.
    static func desCiphertextCut() -> [UInt8] {
        let salt: [UInt8] = [0, 0, 0, 11, 0, 0, 0, 1]
        let ciphertext = RawV3Message.encrypt(
            Fixtures.scopedPDU(.informRequest), for: informUser, salt: salt, boots: 11, time: 1000)
        let message = RawV3Message(
            flags: 0x07, engineID: Fixtures.localEngineID, boots: 11, time: 1000, userName: informUser.nameOctets,
            authParameters: Array(repeating: 0, count: 12), privParameters: salt,
            data: .encrypted(Array(ciphertext.dropLast())))
        return Resigning.signed(message.encoded(), by: informUser)
    }

    /// A well-formed message under msgSecurityModel 2, whose parameters USM does not read.
    static func otherSecurityModel() -> [UInt8] {
        RawV3Message(
            flags: 0x00, securityModel: 2, engineID: Fixtures.remoteEngineID, boots: 0, time: 0,
            userName: Array("public".utf8), data: .plaintext(Fixtures.scopedPDU())
        ).encoded()
    }
}
