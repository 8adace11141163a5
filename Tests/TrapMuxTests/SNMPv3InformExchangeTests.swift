import SNMPSecurity
import Testing
import TrapDecoder

@testable import TrapMux
@testable import TrapMuxServer
@testable import TrapEvents

/// The SNMPv3 inform exchange of `trapmux send` against trapmux's own USM receiver, in process: discovery,
/// acknowledgement, resynchronisation and each way it fails, without sockets or clocks.
@Suite("SNMPv3 inform exchange")
struct SNMPv3InformExchangeTests {
    /// 80001f88 04 "trapmux-rx": the receiver, authoritative for informs.
    static let receiverEngineID: [UInt8] = [0x80, 0x00, 0x1F, 0x88, 0x04] + Array("trapmux-rx".utf8)
    /// 80001f88 04 "send": the sender, the contextEngineID of its informs.
    static let senderEngineID: [UInt8] = [0x80, 0x00, 0x1F, 0x88, 0x04] + Array("send".utf8)
    static let pdu = NotificationPDU(
        requestID: 31337,
        varbinds: [
            VarBind(oid: WellKnownOID.sysUpTime0, value: .timeTicks(4242)),
            VarBind(oid: WellKnownOID.snmpTrapOID0, value: .objectIdentifier(OID("1.3.6.1.6.3.1.1.5.3")!)),
        ])

    static func user(
        _ level: SNMPSecurityLevel, name: String = "informer", auth: USMPassphrase = "inform-auth-pass"
    ) -> USMUser {
        USMUser(
            name: name, authProtocol: level.isAuthenticated ? .sha256 : nil,
            authPassphrase: level.isAuthenticated ? auth : nil, privProtocol: level.isPrivate ? .aes : nil,
            privPassphrase: level.isPrivate ? "inform-priv-pass" : nil)
    }

    /// A trapmux receiver holding `user` (authoritative for informs) at boots 11, time 1000 when `now` is 0.
    struct Receiver {
        var processor: USMProcessor
        var salt = USMSaltCounter(start: 1)
        var reports: UInt32 = 0
        var accepted: [USMIncomingMessage] = []

        init(_ user: USMUser, boots: Int32 = 11) throws {
            let table = try USMUserTable(users: [user], localEngineID: receiverEngineID)
            processor = USMProcessor(
                users: table, localEngine: USMLocalEngine(engineID: receiverEngineID, boots: boots, time: 1000, at: 0))
        }

        /// What trapmux's listener answers: a Response to an accepted inform, a Report to a reportable failure.
        mutating func answer(_ datagram: [UInt8], now: Int64) throws -> [UInt8]? {
            let incoming: USMIncomingMessage
            do {
                incoming = try processor.process(datagram[...], now: now)
            } catch {
                reports += 1
                return processor.report(for: error, counterValue: reports, now: now, salt: &salt)
            }
            accepted.append(incoming)
            return try processor.response(to: incoming, now: now, salt: &salt)
        }
    }

    static func exchange(
        _ user: USMUser, level: SNMPSecurityLevel, receiverEngineID: [UInt8]? = nil, retries: Int = 2
    ) -> SNMPv3InformExchange {
        SNMPv3InformExchange(
            SNMPv3InformExchange.Configuration(
                user: user, level: level, receiverEngineID: receiverEngineID, contextEngineID: senderEngineID,
                contextName: Array("ctx".utf8), retries: retries),
            firstMessageID: 100)
    }

    /// Plays the exchange against `receiver` until it finishes, every datagram answered at once; returns the outcome
    /// and the datagrams the sender sent.
    static func run(
        _ exchange: inout SNMPv3InformExchange, with receiver: inout Receiver, now: Int64 = 5
    ) throws -> (SNMPv3InformExchange.Outcome, [[UInt8]]) {
        var sent: [[UInt8]] = []
        var action = exchange.start(pdu, now: now)
        for _ in 0..<20 {
            switch action {
            case .finish(let outcome):
                return (outcome, sent)
            case .send(let datagram):
                sent.append(datagram)
                if let reply = try receiver.answer(datagram, now: now) {
                    action = exchange.received(reply, now: now)
                } else {
                    action = exchange.timedOut(now: now)
                }
            case .keepWaiting:
                action = exchange.timedOut(now: now)
            }
        }
        Issue.record("the exchange did not finish")
        return (.noResponse(attempts: 0, refused: []), sent)
    }

    @Test(arguments: SNMPSecurityLevel.allCases)
    func discoveryThenInformIsAcknowledged(_ level: SNMPSecurityLevel) throws {
        var receiver = try Receiver(Self.user(level))
        var exchange = Self.exchange(Self.user(level), level: level)
        let (outcome, sent) = try Self.run(&exchange, with: &receiver)
        #expect(outcome == .acknowledged(attempts: 1))
        #expect(exchange.receiverEngineID == Self.receiverEngineID)
        // The probe (RFC 3414 §4): reportable noAuthNoPriv, empty engine ID and user, a GetRequest without varbinds.
        let probe = try SNMPv3Envelope(decoding: sent[0][...])
        #expect(probe.header.flags == 0x04)
        #expect(probe.header.usm?.engineID.isEmpty == true)
        #expect(probe.header.usm?.userName.isEmpty == true)
        guard case .plaintext(let scoped) = probe.data else {
            Issue.record("the probe is encrypted")
            return
        }
        let probePDU = try USMScopedPDU(decoding: scoped)
        #expect(probePDU.type == .getRequest)
        #expect(probePDU.pdu.varbinds.isEmpty)
        // The inform: stamped with the receiver's boots and time, at the level asked, and delivered as sent.
        let inform = try SNMPv3Envelope(decoding: sent[1][...]).header
        #expect(inform.flags == level.flags | 0x04)
        #expect(inform.usm?.engineBoots == 11)
        #expect(inform.usm?.engineTime == 1005)
        #expect(receiver.accepted.count == 1)
        #expect(receiver.accepted.first?.message.pdu == .inform(Self.pdu))
        #expect(receiver.accepted.first?.message.v3?.contextEngineID == Self.senderEngineID[...])
        #expect(receiver.accepted.first?.message.v3?.contextName == Array("ctx".utf8)[...])
    }

    @Test func discoveredEngineServesTheNextInformsWithoutAnotherProbe() throws {
        var receiver = try Receiver(Self.user(.authPriv))
        var exchange = Self.exchange(Self.user(.authPriv), level: .authPriv)
        _ = try Self.run(&exchange, with: &receiver)
        let (outcome, sent) = try Self.run(&exchange, with: &receiver, now: 9)
        #expect(outcome == .acknowledged(attempts: 1))
        #expect(sent.count == 1)
        #expect(try SNMPv3Envelope(decoding: sent[0][...]).header.usm?.engineTime == 1009)
    }

    @Test func knownEngineIDSkipsDiscoveryAndResynchronisesOnceFromTheTimeWindowReport() throws {
        var receiver = try Receiver(Self.user(.authNoPriv))
        var exchange = Self.exchange(
            Self.user(.authNoPriv), level: .authNoPriv, receiverEngineID: Self.receiverEngineID)
        let (outcome, sent) = try Self.run(&exchange, with: &receiver, now: 30)
        #expect(outcome == .acknowledged(attempts: 2))
        // Boots 0, time 0 first (nothing known), then the receiver's clock from its authentic Report.
        let stamps = try sent.map { try SNMPv3Envelope(decoding: $0[...]).header.usm! }
        #expect(stamps.map(\.engineBoots) == [0, 11])
        #expect(stamps.map(\.engineTime) == [0, 1030])
        #expect(exchange.notes.contains { $0.contains("resynchronised") })
    }

    @Test func lateReportsToTransmissionsBeforeTheResynchronisationAreIgnored() throws {
        var receiver = try Receiver(Self.user(.authNoPriv))
        var exchange = Self.exchange(
            Self.user(.authNoPriv), level: .authNoPriv, receiverEngineID: Self.receiverEngineID)
        // Two transmissions with the unknown clock (the first timed out), then the Report to the first.
        guard case .send(let first) = exchange.start(Self.pdu, now: 0),
            case .send(let second) = exchange.timedOut(now: 1),
            let firstReport = try receiver.answer(first, now: 1),
            let secondReport = try receiver.answer(second, now: 1),
            case .send(let resynchronised) = exchange.received(firstReport, now: 1)
        else {
            Issue.record("no resynchronisation")
            return
        }
        // The second one's Report comes late: it says nothing about the resynchronised inform.
        #expect(exchange.received(secondReport, now: 1) == .keepWaiting)
        let response = try #require(try receiver.answer(resynchronised, now: 1))
        #expect(exchange.received(response, now: 1) == .finish(.acknowledged(attempts: 3)))
    }

    @Test func aSecondTimeWindowReportEndsTheExchangeNamingTheCounter() throws {
        var receiver = try Receiver(Self.user(.authNoPriv))
        var exchange = Self.exchange(
            Self.user(.authNoPriv), level: .authNoPriv, receiverEngineID: Self.receiverEngineID)
        var action = exchange.start(Self.pdu, now: 0)
        // The receiver reboots (boots 12) after its first Report: the resent inform is out of its window again.
        guard case .send(let first) = action, let report = try receiver.answer(first, now: 0) else {
            Issue.record("no first exchange")
            return
        }
        action = exchange.received(report, now: 0)
        var rebooted = try Receiver(Self.user(.authNoPriv), boots: 12)
        guard case .send(let second) = action, let secondReport = try rebooted.answer(second, now: 0) else {
            Issue.record("no resend")
            return
        }
        guard case .finish(let outcome) = exchange.received(secondReport, now: 0) else {
            Issue.record("the exchange went on")
            return
        }
        #expect("\(outcome)".contains("usmStatsNotInTimeWindows"))
        guard case .reported(let counter, let authenticated, _) = outcome else {
            Issue.record("not a Report outcome: \(outcome)")
            return
        }
        #expect(counter == "usmStatsNotInTimeWindows")
        #expect(authenticated)
    }

    @Test func wrongAuthPassphraseEndsWithTheUnauthenticatedWrongDigestsReport() throws {
        var receiver = try Receiver(Self.user(.authPriv))
        var exchange = Self.exchange(Self.user(.authPriv, auth: "not-the-auth-pass"), level: .authPriv)
        let (outcome, _) = try Self.run(&exchange, with: &receiver)
        guard case .reported(let counter, let authenticated, let explanation) = outcome else {
            Issue.record("not a Report outcome: \(outcome)")
            return
        }
        #expect(counter == "usmStatsWrongDigests")
        #expect(!authenticated)
        #expect(explanation.contains("auth protocol or passphrase"))
        #expect(!"\(outcome)".contains("not-the-auth-pass"))
    }

    @Test func unknownUserEndsWithUnknownUserNames() throws {
        var receiver = try Receiver(Self.user(.authNoPriv))
        var exchange = Self.exchange(Self.user(.authNoPriv, name: "stranger"), level: .authNoPriv)
        let (outcome, _) = try Self.run(&exchange, with: &receiver)
        #expect(
            outcome
                == .reported(
                    counter: "usmStatsUnknownUserNames", authenticated: false,
                    explanation: "the receiver has no user \"stranger\" for engine 0x"
                        + Self.receiverEngineID.hexString))
    }

    @Test func unansweredProbeIsRetriedThenGivenUp() {
        var exchange = Self.exchange(Self.user(.noAuthNoPriv), level: .noAuthNoPriv, retries: 2)
        var sends = 0
        var action = exchange.start(Self.pdu, now: 0)
        while case .send = action {
            sends += 1
            action = exchange.timedOut(now: 0)
        }
        #expect(sends == 3)
        #expect(action == .finish(.noDiscoveryReport(attempts: 3)))
    }

    @Test func forgedResponseIsRefusedAndNamedWhenNoneComes() throws {
        var receiver = try Receiver(Self.user(.authNoPriv))
        var exchange = Self.exchange(Self.user(.authNoPriv), level: .authNoPriv, retries: 0)
        var action = exchange.start(Self.pdu, now: 0)
        guard case .send(let probe) = action, let report = try receiver.answer(probe, now: 0) else {
            Issue.record("no discovery")
            return
        }
        action = exchange.received(report, now: 0)
        guard case .send(let inform) = action, let response = try receiver.answer(inform, now: 0) else {
            Issue.record("no inform")
            return
        }
        // The Response with one octet of its HMAC changed: not trusted, so not an acknowledgement.
        let mac = try SNMPv3Envelope(decoding: response[...]).header.usm!.authenticationParameters
        var forged = response
        forged[mac.startIndex] ^= 0x01
        #expect(exchange.received(forged, now: 0) == .keepWaiting)
        // A datagram that answers no message of the exchange is ignored.
        #expect(exchange.received([0x30, 0x00], now: 0) == .keepWaiting)
        guard case .finish(.noResponse(let attempts, let refused)) = exchange.timedOut(now: 1) else {
            Issue.record("the exchange did not give up")
            return
        }
        #expect(attempts == 1)
        #expect(refused.count == 1)
        #expect(refused.first?.contains("usmStatsWrongDigests") == true)
    }

    @Test func reportCountersAreNamedByTheirOIDs() {
        for kind in USMError.Kind.allCases {
            let report = USMScopedPDU(
                contextEngineID: [], type: .report,
                pdu: NotificationPDU(requestID: 0, varbinds: [VarBind(oid: kind.counterOID, value: .counter32(1))]))
            #expect(SNMPv3InformExchange.counter(of: report) == kind)
            #expect(SNMPv3InformExchange.counterName(report) == kind.rawValue)
        }
        let other = USMScopedPDU(
            contextEngineID: [], type: .report,
            pdu: NotificationPDU(requestID: 0, varbinds: [VarBind(oid: OID("1.3.6.1.4.1.99.1")!, value: .null)]))
        #expect(SNMPv3InformExchange.counter(of: other) == nil)
        #expect(SNMPv3InformExchange.counterName(other) == "1.3.6.1.4.1.99.1")
    }
}
