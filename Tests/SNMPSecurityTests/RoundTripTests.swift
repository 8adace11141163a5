@testable import SNMPSecurity
import Testing
import TrapDecoder

/// The builder's messages pass the incoming processor for every auth × priv combination, in both directions: traps
/// from a sender that is authoritative, informs to this receiver, which is.
@Suite("USM builder round trip")
struct RoundTripTests {
    static let combinations: [(USMAuthProtocol?, USMPrivProtocol?)] =
        [(nil, nil)] + USMAuthProtocol.allCases.flatMap { auth in
            [(auth, nil)] + USMPrivProtocol.allCases.map { (auth, $0) }
        }

    static func security(_ user: USMLocalizedUser) -> USMOutgoingMessage.Security {
        let level = user.highestSecurityLevel
        return level == .noAuthNoPriv ? .unauthenticated(userName: user.nameOctets) : .user(user, level)
    }

    static func user(_ auth: USMAuthProtocol?, _ priv: USMPrivProtocol?, engineID: [UInt8]?) -> USMUser {
        USMUser(
            name: "rt-\(auth?.rawValue ?? "none")-\(priv?.rawValue ?? "none")", engineID: engineID,
            authProtocol: auth, authPassphrase: auth == nil ? nil : "round-trip-auth",
            privProtocol: priv, privPassphrase: priv == nil ? nil : "round-trip-priv")
    }

    @Test(arguments: combinations)
    func trapFromAnAuthoritativeSenderDecodesToWhatWasSent(_ auth: USMAuthProtocol?, _ priv: USMPrivProtocol?) throws {
        let sender = Self.user(auth, priv, engineID: Fixtures.remoteEngineID)
        let table = try USMUserTable(users: [sender], localEngineID: Fixtures.localEngineID)
        let localized = try #require(table.user(engineID: Fixtures.remoteEngineID, name: Array(sender.name.utf8)))
        let level = localized.highestSecurityLevel
        var salt = USMSaltCounter()
        let datagram = try USMOutgoingMessage(
            messageID: 7, reportable: false,
            security: Self.security(localized), engineID: Fixtures.remoteEngineID, engineBoots: 3, engineTime: 77, scopedPDU: Fixtures.scopedPDU()
        ).encoded(salt: &salt)

        var processor = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 1, at: 0))
        let incoming = try processor.process(datagram[...], now: 0)
        #expect(incoming.securityLevel == level)
        #expect(incoming.isAuthoritative == false)
        #expect(incoming.message.v3?.acceptedSecurityLevel == level)
        #expect(incoming.message.v3?.contextName == Array("vrf-red".utf8)[...])
        #expect(incoming.message.v3?.contextEngineID == Fixtures.remoteEngineID[...])
        #expect(
            incoming.message.pdu == TrapMessage.PDU.trapV2(NotificationPDU(requestID: 77, varbinds: Fixtures.varbinds)))
        if level.isPrivate {
            let envelope = try SNMPv3Envelope(decoding: datagram[...])
            guard case .encrypted = envelope.data else {
                Issue.record("an authPriv message went out in plaintext")
                return
            }
        }
    }

    @Test(arguments: combinations)
    func informToThisEngineIsAnsweredWithAResponseItsSenderAccepts(
        _ auth: USMAuthProtocol?, _ priv: USMPrivProtocol?
    ) throws {
        let sender = Self.user(auth, priv, engineID: nil)
        let table = try USMUserTable(users: [sender], localEngineID: Fixtures.localEngineID)
        let localized = try #require(table.user(engineID: Fixtures.localEngineID, name: Array(sender.name.utf8)))
        let level = localized.highestSecurityLevel
        var salt = USMSaltCounter()
        let inform = try USMOutgoingMessage(
            messageID: 9, reportable: true,
            security: Self.security(localized), engineID: Fixtures.localEngineID, engineBoots: 11, engineTime: 1000,
            scopedPDU: Fixtures.scopedPDU(.informRequest, requestID: 4711)
        ).encoded(salt: &salt)

        var receiver = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: Fixtures.localEngineID, boots: 11, time: 1000, at: 0))
        let incoming = try receiver.process(inform[...], now: 0)
        #expect(incoming.isAuthoritative)
        #expect(
            incoming.message.pdu
                == TrapMessage.PDU.inform(NotificationPDU(requestID: 4711, varbinds: Fixtures.varbinds)))

        // The Response is protected like the inform; the same processor authenticates and decrypts it, and then
        // finds a Response-PDU where it only takes notifications.
        let response = try #require(try receiver.response(to: incoming, now: 5, salt: &salt))
        let header = try SNMPv3Envelope(decoding: response[...]).header
        #expect(header.messageID == 9)
        #expect(header.flags == level.flags)
        #expect(header.usm?.engineTime == 1005)
        #expect(
            performing: { try receiver.process(response[...], now: 5) },
            throws: { error in
                let usm = error as? USMError
                return usm?.kind == .snmpUnknownPDUHandlers && usm?.decodingError?.kind == .notANotification
            })
    }

    @Test func everyEncryptionTakesAFreshSalt() throws {
        let user = Fixtures.user("trap-sha256-aes", on: Fixtures.remoteEngineID)
        var salt = USMSaltCounter(start: 41)
        let message = USMOutgoingMessage(
            messageID: 1, reportable: false, security: .user(user, .authPriv), engineID: Fixtures.remoteEngineID,
            engineBoots: 5, engineTime: 5000, scopedPDU: Fixtures.scopedPDU())
        let first = try message.encoded(salt: &salt)
        let second = try message.encoded(salt: &salt)
        #expect(first != second)
        let salts = try [first, second].map { try SNMPv3Envelope(decoding: $0[...]).header.usm!.privacyParameters }
        #expect(salts == [[0, 0, 0, 0, 0, 0, 0, 41], [0, 0, 0, 0, 0, 0, 0, 42]])
    }

    @Test func desSaltIsBootsThenCounter() {
        var salt = USMSaltCounter(start: 0x1_0000_0007)
        // RFC 3414 §8.1.1.1: snmpEngineBoots, then a 32-bit integer of the sender's choosing.
        #expect(salt.salt(for: .des, boots: 11) == [0, 0, 0, 11, 0, 0, 0, 7])
        #expect(salt.salt(for: .aes, boots: 11) == [0, 0, 0, 1, 0, 0, 0, 8])
    }

    @Test func builderRefusesALevelTheUserCannotProtect() {
        let user = Fixtures.user("trap-md5", on: Fixtures.remoteEngineID)
        var salt = USMSaltCounter()
        let message = USMOutgoingMessage(
            messageID: 1, reportable: false, security: .user(user, .authPriv), engineID: Fixtures.remoteEngineID,
            engineBoots: 1, engineTime: 1, scopedPDU: Fixtures.scopedPDU())
        #expect(throws: USMConfigurationError(.inconsistentUser, "")) { try message.encoded(salt: &salt) }
    }

    @Test func builderRefusesKeysOfAnotherEngine() {
        let user = Fixtures.user("trap-md5", on: Fixtures.remoteEngineID)
        var salt = USMSaltCounter()
        let message = USMOutgoingMessage(
            messageID: 1, reportable: false, security: .user(user, .authNoPriv), engineID: Fixtures.localEngineID,
            engineBoots: 1, engineTime: 1, scopedPDU: Fixtures.scopedPDU())
        #expect(throws: USMConfigurationError(.inconsistentUser, "")) { try message.encoded(salt: &salt) }
    }
}
