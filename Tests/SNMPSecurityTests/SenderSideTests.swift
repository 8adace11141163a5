@testable import SNMPSecurity
import Testing
import TrapDecoder

/// The sender's side of an inform (RFC 3414 §3.2 as a non-authoritative receiver of the answer): the Response and
/// Report that answer it pass the same checks as a notification and come back as any scopedPDU; and the primitives a
/// sender signs and encrypts with.
@Suite("USM on the sender's side")
struct SenderSideTests {
    /// A sender engine, whose own ID only names it: nothing it receives is addressed to it.
    static let senderEngineID = hex("80001f8804747261706d75782d73656e64")

    /// The receiver (authoritative for informs) with `user`, at boots 11, time 1000 when `now` is 0.
    static func receiver(_ user: USMUser) throws -> USMProcessor {
        let table = try USMUserTable(users: [user], localEngineID: Fixtures.localEngineID)
        return USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 11, time: 1000, at: 0))
    }

    /// The sender: the same user localized to the receiver's engine, and the receiver's clock as discovery left it.
    static func sender(_ user: USMUser) throws -> USMProcessor {
        var table = USMUserTable()
        table.insert(try USMLocalizedUser(user, engineID: Fixtures.localEngineID))
        var engines = USMRemoteEngineCache()
        engines.set(engineID: Fixtures.localEngineID, boots: 11, time: 1000, at: 0)
        return USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: senderEngineID, boots: 1, at: 0),
            remoteEngines: engines)
    }

    static func inform(_ localized: USMLocalizedUser, requestID: Int32 = 4711, time: Int32 = 1000) throws -> [UInt8] {
        let level = localized.highestSecurityLevel
        var salt = USMSaltCounter(start: 9)
        return try USMOutgoingMessage(
            messageID: 9, reportable: true,
            security: level == .noAuthNoPriv
                ? .unauthenticated(userName: localized.nameOctets) : .user(localized, level),
            engineID: Fixtures.localEngineID, engineBoots: 11, engineTime: time,
            scopedPDU: Fixtures.scopedPDU(.informRequest, requestID: requestID)
        ).encoded(salt: &salt)
    }

    @Test(arguments: RoundTripTests.combinations)
    func responseToAnInformIsVerifiedByItsSender(_ auth: USMAuthProtocol?, _ priv: USMPrivProtocol?) throws {
        let user = RoundTripTests.user(auth, priv, engineID: nil)
        var receiver = try Self.receiver(user)
        var sender = try Self.sender(user)
        let localized = try #require(receiver.users.user(engineID: Fixtures.localEngineID, name: Array(user.name.utf8)))
        let incoming = try receiver.process(try Self.inform(localized)[...], now: 3)
        var salt = USMSaltCounter()
        let response = try #require(try receiver.response(to: incoming, now: 3, salt: &salt))

        let verified = try sender.verify(response[...], now: 3)
        #expect(verified.scopedPDU.type == .response)
        #expect(verified.scopedPDU.pdu == NotificationPDU(requestID: 4711, varbinds: Fixtures.varbinds))
        #expect(verified.scopedPDU.contextName == Array("vrf-red".utf8))
        #expect(verified.securityLevel == localized.highestSecurityLevel)
        #expect(verified.header.acceptedSecurityLevel == localized.highestSecurityLevel)
        #expect(verified.isAuthoritative == false)
        #expect(verified.user.engineID == Fixtures.localEngineID)
        // The authentic answer moved the sender's notion of the receiver's clock (RFC 3414 §3.2 step 7b).
        if localized.highestSecurityLevel.isAuthenticated {
            #expect(sender.remoteEngines.entry(for: Fixtures.localEngineID)?.latestReceivedTime == 1003)
        }
    }

    @Test func timeWindowReportIsVerifiedWithTheReceiversClock() throws {
        let user = RoundTripTests.user(.sha256, .aes, engineID: nil)
        var receiver = try Self.receiver(user)
        let localized = try #require(receiver.users.user(engineID: Fixtures.localEngineID, name: Array(user.name.utf8)))
        // The inform's time is 500 s behind: the receiver reports usmStatsNotInTimeWindows at authNoPriv.
        let late = try Self.inform(localized, time: 500)
        let error = try #require(throws: USMError.self) { try receiver.process(late[...], now: 0) }
        var salt = USMSaltCounter()
        let report = try #require(receiver.report(for: error, counterValue: 1, now: 20, salt: &salt))

        var sender = try Self.sender(user)
        let verified = try sender.verify(report[...], now: 20)
        #expect(verified.scopedPDU.type == .report)
        #expect(verified.securityLevel == .authNoPriv)
        #expect(verified.scopedPDU.pdu.varbinds.first?.oid == USMError.Kind.usmStatsNotInTimeWindows.counterOID)
        #expect(verified.header.usm?.engineBoots == 11)
        #expect(verified.header.usm?.engineTime == 1020)
    }

    @Test func forgedResponseIsRefusedAsAWrongDigest() throws {
        let user = RoundTripTests.user(.sha1, nil, engineID: nil)
        var receiver = try Self.receiver(user)
        let localized = try #require(receiver.users.user(engineID: Fixtures.localEngineID, name: Array(user.name.utf8)))
        let incoming = try receiver.process(try Self.inform(localized)[...], now: 0)
        var salt = USMSaltCounter()
        var response = try #require(try receiver.response(to: incoming, now: 0, salt: &salt))
        // The request-id 4711 (02 02 12 67) becomes 4712: the HMAC no longer matches.
        response = Resigning.replacing([0x02, 0x02, 0x12, 0x67], with: [0x02, 0x02, 0x12, 0x68], in: response)
        var sender = try Self.sender(user)
        #expect(throws: USMError(.usmStatsWrongDigests, at: 0, "")) { try sender.verify(response[...], now: 0) }
    }

    @Test(arguments: USMScopedPDU.PDUType.allCases)
    func scopedPDUOfEveryTypeDecodesToWhatWasEncoded(_ type: USMScopedPDU.PDUType) throws {
        let scoped = Fixtures.scopedPDU(type, requestID: -5)
        let encoded = scoped.encoded()
        #expect(try USMScopedPDU(decoding: encoded[...]) == scoped)
        for length in 0..<encoded.count {
            #expect(throws: TrapDecodingError.self) { try USMScopedPDU(decoding: encoded.prefix(length)) }
        }
    }

    @Test func scopedPDUTakesUpToSevenOctetsOfDESPaddingOnlyWhenPadded() throws {
        let encoded = Fixtures.scopedPDU(.response).encoded()
        #expect(try USMScopedPDU(decoding: (encoded + [0, 0, 0, 0, 0, 0, 0])[...], padded: true).type == .response)
        #expect(throws: TrapDecodingError(.trailingBytes, at: 0, "")) {
            try USMScopedPDU(decoding: (encoded + [0])[...])
        }
        #expect(throws: TrapDecodingError(.trailingBytes, at: 0, "")) {
            try USMScopedPDU(decoding: (encoded + Array(repeating: 0, count: 8))[...], padded: true)
        }
    }

    @Test func scopedPDUWithATrapV1PDUIsAnUnexpectedTag() throws {
        // 30 0a | 04 00 contextEngineID | 04 00 contextName | a4 06 02 01 00 02 01 00: a v1 Trap-PDU tag
        let datagram: [UInt8] = [0x30, 0x0C, 0x04, 0x00, 0x04, 0x00, 0xA4, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]
        #expect(throws: TrapDecodingError(.unexpectedTag, at: 6, "")) { try USMScopedPDU(decoding: datagram[...]) }
    }

    @Test func authenticatingAMessageWritesTheHMACTheProcessorChecks() throws {
        let user = Fixtures.user("trap-md5", on: Fixtures.remoteEngineID)
        var message = RawV3Message(
            flags: 0x01, engineID: Fixtures.remoteEngineID, boots: 5, time: 5000, userName: user.nameOctets,
            authParameters: Array(repeating: 0xEE, count: 12), data: .plaintext(Fixtures.scopedPDU())
        ).encoded()
        try user.authenticateOutgoingMessage(&message)
        var processor = Fixtures.processor()
        #expect(try processor.process(message[...], now: 0).user == user)
    }

    @Test func authenticatingNeedsAFieldOfTheMACLength() throws {
        let user = Fixtures.user("trap-md5", on: Fixtures.remoteEngineID)
        var message = RawV3Message(
            flags: 0x01, engineID: Fixtures.remoteEngineID, boots: 5, time: 5000, userName: user.nameOctets,
            authParameters: Array(repeating: 0, count: 11), data: .plaintext(Fixtures.scopedPDU())
        ).encoded()
        #expect(throws: USMConfigurationError(.inconsistentUser, "")) { try user.authenticateOutgoingMessage(&message) }
        let noAuth = Fixtures.user("trap-noauth", on: Fixtures.remoteEngineID)
        #expect(throws: USMConfigurationError(.inconsistentUser, "")) {
            try noAuth.authenticateOutgoingMessage(&message)
        }
    }

    @Test func encryptedDataDecryptsWithTheSameSaltBootsAndTime() throws {
        let user = Fixtures.user("trap-strict", on: Fixtures.remoteEngineID)
        let plaintext = Fixtures.scopedPDU().encoded()
        let salt: [UInt8] = [0, 0, 0, 5, 0, 0, 0, 1]
        let ciphertext = try user.encryptData(plaintext, salt: salt, engineBoots: 5, engineTime: 5000)
        // DES: padded to whole blocks.
        #expect(ciphertext.count == (plaintext.count + 7) / 8 * 8)
        let decrypted = try #require(
            user.privProtocol?.crypt(
                encrypt: false, ciphertext[...], key: user.privKey, salt: salt, boots: 5, time: 5000))
        #expect(Array(decrypted.prefix(plaintext.count)) == plaintext)
        let md5 = Fixtures.user("trap-md5", on: Fixtures.remoteEngineID)
        #expect(throws: USMConfigurationError(.inconsistentUser, "")) {
            try md5.encryptData(plaintext, salt: salt, engineBoots: 5, engineTime: 5000)
        }
    }
}
