import SNMPSecurity
import TrapDecoder

/// SNMPv3 InformRequests sent as net-snmp's `snmpinform -v 3` sends them, to a receiver that is the authoritative
/// engine (RFC 3414 §3.1):
/// 1. unless its engine ID is known (`-e`), engine ID discovery (RFC 3414 §4): a reportable noAuthNoPriv GetRequest
///    with an empty engine ID and user name, answered by a Report that carries the receiver's engine ID, boots and
///    time; the user's keys are then localized to that engine ID;
/// 2. the inform, stamped with the receiver's boots and the time it must have reached, retransmitted on timeout;
/// 3. done when a Response with the inform's request-id passes USM processing (authentic, timely, decryptable at
///    the inform's level); an authentic usmStatsNotInTimeWindows Report resynchronises the clock once and the inform
///    is sent again; any other Report ends the exchange with its counter named.
///
/// A value with actions, driven by whoever owns the socket and the clock (`now`: seconds on a monotonic clock), so
/// the protocol is tested without sockets. One exchange sends any number of informs, one at a time; the engine it
/// discovered serves them all.
struct SNMPv3InformExchange {
    /// What the driver does next.
    enum Action: Equatable {
        /// Send this datagram, then wait for a reply until the timeout.
        case send([UInt8])
        /// Keep waiting until the timeout: the datagram was no answer to this exchange, or one that is not trusted.
        case keepWaiting
        /// The inform is acknowledged, or will not be.
        case finish(Outcome)
    }

    /// How an inform ended.
    enum Outcome: Equatable, CustomStringConvertible {
        /// An authentic Response with the inform's request-id came back; `attempts` informs were sent.
        case acknowledged(attempts: Int)
        /// No Report answered the discovery probe.
        case noDiscoveryReport(attempts: Int)
        /// The discovery Report carried no usable engine ID.
        case badDiscoveryReport(String)
        /// No Response came; `refused` are the replies that failed USM processing meanwhile.
        case noResponse(attempts: Int, refused: [String])
        /// The receiver answered with a Report naming `counter` (an authentic one, or an unauthenticated one that
        /// cannot be checked; either way the inform was not accepted).
        case reported(counter: String, authenticated: Bool, explanation: String)
        /// The user cannot be set up for the receiver's engine (e.g. no DES in this OpenSSL).
        case unusableUser(String)

        var description: String {
            switch self {
            case .acknowledged(let attempts):
                return "acknowledged after \(attempts) attempt\(attempts == 1 ? "" : "s")"
            case .noDiscoveryReport(let attempts):
                return "no Report answered the engine ID discovery probe after \(attempts) attempt"
                    + "\(attempts == 1 ? "" : "s") (is an SNMPv3 receiver listening there?)"
            case .badDiscoveryReport(let why):
                return "the engine ID discovery Report is unusable: \(why)"
            case .noResponse(let attempts, let refused):
                let tail = refused.isEmpty ? "" : "; replies refused: " + refused.joined(separator: "; ")
                return "no Response to the inform after \(attempts) attempt\(attempts == 1 ? "" : "s")" + tail
            case .reported(let counter, let authenticated, let explanation):
                return "the receiver answered with \(authenticated ? "an authentic" : "an unauthenticated") Report: "
                    + "\(counter) (\(explanation))"
            case .unusableUser(let why):
                return why
            }
        }
    }

    /// The user and what every inform carries besides its PDU.
    struct Configuration {
        /// The user as configured; its keys are localized to the receiver's engine once that is known.
        var user: USMUser
        var level: SNMPSecurityLevel
        /// The receiver's engine ID when given (`-e`): no discovery.
        var receiverEngineID: [UInt8]?
        /// This sender's engine ID: the contextEngineID of its notifications (RFC 3413 §3.2).
        var contextEngineID: [UInt8]
        var contextName: [UInt8]
        /// Retransmissions after the first send, of the probe and of each inform (`--retries`).
        var retries: Int
    }

    private enum State {
        case idle
        case discovering(attempts: Int)
        case informing(attempts: Int, resynchronised: Bool)
    }

    let configuration: Configuration
    /// The receiver's engine ID, once known.
    private(set) var receiverEngineID: [UInt8]?
    /// Events worth telling with --verbose; the driver prints and empties it.
    var notes: [String] = []
    private var state = State.idle
    /// The sender's side of USM: the user localized to the receiver's engine, and the notion of its clock.
    private var processor: USMProcessor?
    private var localizedUser: USMLocalizedUser?
    private var pdu = NotificationPDU(requestID: 0, varbinds: [])
    /// msgIDs of this inform's (or probe's) transmissions: a late reply to an earlier one counts too.
    private var sentMessageIDs: Set<Int32> = []
    private var nextMessageID: Int32
    private var refused: [String] = []
    private var salt = USMSaltCounter()

    /// An exchange whose msgIDs count up from `firstMessageID` (1…2^31−1).
    init(_ configuration: Configuration, firstMessageID: Int32) {
        self.configuration = configuration
        self.nextMessageID = max(1, firstMessageID)
    }

    /// Starts sending the inform `pdu`: discovery first if the receiver's engine is not known yet.
    mutating func start(_ pdu: NotificationPDU, now: Int64) -> Action {
        self.pdu = pdu
        refused = []
        sentMessageIDs = []
        if processor == nil, let known = configuration.receiverEngineID {
            if let failure = learnEngine(known, boots: nil, time: nil, now: now) {
                return .finish(failure)
            }
        }
        guard processor != nil else {
            state = .discovering(attempts: 1)
            return .send(probe())
        }
        state = .informing(attempts: 1, resynchronised: false)
        return informAction(now: now)
    }

    /// Nothing came before the timeout: retransmit while retries are left.
    mutating func timedOut(now: Int64) -> Action {
        switch state {
        case .idle:
            return .keepWaiting
        case .discovering(let attempts):
            guard attempts <= configuration.retries else {
                state = .idle
                return .finish(.noDiscoveryReport(attempts: attempts))
            }
            state = .discovering(attempts: attempts + 1)
            return .send(probe())
        case .informing(let attempts, let resynchronised):
            guard attempts <= configuration.retries else {
                state = .idle
                return .finish(.noResponse(attempts: attempts, refused: refused))
            }
            state = .informing(attempts: attempts + 1, resynchronised: resynchronised)
            notes.append("no reply in time; sending the inform again (attempt \(attempts + 1))")
            return informAction(now: now)
        }
    }

    /// A datagram came from the receiver's address.
    mutating func received(_ datagram: [UInt8], now: Int64) -> Action {
        guard let envelope = try? SNMPv3Envelope(decoding: datagram[...]),
            sentMessageIDs.contains(envelope.header.messageID)
        else {
            notes.append("ignored a datagram of \(datagram.count) octets that answers no message of this exchange")
            return .keepWaiting
        }
        switch state {
        case .idle:
            return .keepWaiting
        case .discovering:
            return discovered(envelope, now: now)
        case .informing(let attempts, let resynchronised):
            return answered(datagram, envelope: envelope, attempts: attempts, resynchronised: resynchronised, now: now)
        }
    }

    // MARK: Discovery

    /// RFC 3414 §4: noAuthNoPriv, reportable, empty msgAuthoritativeEngineID and msgUserName, a GetRequest without
    /// varbinds.
    private mutating func probe() -> [UInt8] {
        let messageID = takeMessageID()
        let message = USMOutgoingMessage(
            messageID: messageID, maximumSize: USMProcessor.maximumMessageSize, reportable: true,
            security: .unauthenticated(userName: []), engineID: [], engineBoots: 0, engineTime: 0,
            scopedPDU: USMScopedPDU(
                contextEngineID: [], contextName: configuration.contextName, type: .getRequest,
                pdu: NotificationPDU(requestID: messageID, varbinds: [])))
        // An unauthenticated message needs no key: encoding cannot fail.
        return (try? message.encoded(salt: &salt)) ?? []
    }

    /// The Report to the probe: its header carries the receiver's engine ID, boots and time (unauthenticated, as
    /// RFC 3414 §4 has it: an authenticated exchange then proves them, or resynchronises).
    private mutating func discovered(_ envelope: SNMPv3Envelope, now: Int64) -> Action {
        guard case .plaintext(let scoped) = envelope.data, let reply = try? USMScopedPDU(decoding: scoped),
            reply.type == .report, let usm = envelope.header.usm
        else {
            notes.append("ignored a reply to the discovery probe that is not a plaintext Report")
            return .keepWaiting
        }
        let engineID = Array(usm.engineID)
        guard (5...32).contains(engineID.count) else {
            state = .idle
            return .finish(
                .badDiscoveryReport("its msgAuthoritativeEngineID has \(engineID.count) octets, not 5 to 32"))
        }
        notes.append(
            "discovered the receiver's engine ID 0x\(engineID.hexString), boots \(usm.engineBoots), time "
                + "\(usm.engineTime) (Report \(Self.counterName(reply)))")
        if let failure = learnEngine(engineID, boots: usm.engineBoots, time: usm.engineTime, now: now) {
            state = .idle
            return .finish(failure)
        }
        state = .informing(attempts: 1, resynchronised: false)
        sentMessageIDs = []
        return informAction(now: now)
    }

    /// Localizes the user's keys to `engineID` and sets the notion of its clock when known.
    private mutating func learnEngine(_ engineID: [UInt8], boots: Int32?, time: Int32?, now: Int64) -> Outcome? {
        let user: USMLocalizedUser
        do {
            user = try USMLocalizedUser(configuration.user, engineID: engineID)
        } catch {
            return .unusableUser("\(error)")
        }
        var table = USMUserTable()
        table.insert(user)
        var engines = USMRemoteEngineCache(capacity: 1)
        if let boots, let time {
            engines.set(engineID: engineID, boots: boots, time: time, at: now)
        }
        // This side is not authoritative for anything it receives; its own engine only names it.
        processor = USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: configuration.contextEngineID, boots: 0, at: now),
            remoteEngines: engines)
        localizedUser = user
        receiverEngineID = engineID
        return nil
    }

    // MARK: The inform

    private mutating func informAction(now: Int64) -> Action {
        do {
            return .send(try inform(now: now))
        } catch {
            state = .idle
            return .finish(.unusableUser("\(error)"))
        }
    }

    /// The inform to the receiver's engine, stamped with its boots and the time it has reached by our notion (0 and 0
    /// before any is known: the receiver then reports usmStatsNotInTimeWindows with its clock).
    private mutating func inform(now: Int64) throws(USMConfigurationError) -> [UInt8] {
        guard let user = localizedUser, let engineID = receiverEngineID else { return [] }
        let notion = processor?.remoteEngines.entry(for: engineID)
        let level = configuration.level
        let message = USMOutgoingMessage(
            messageID: takeMessageID(), maximumSize: USMProcessor.maximumMessageSize, reportable: true,
            security: level == .noAuthNoPriv ? .unauthenticated(userName: user.nameOctets) : .user(user, level),
            engineID: engineID, engineBoots: notion?.boots ?? 0, engineTime: notion?.time(at: now) ?? 0,
            scopedPDU: USMScopedPDU(
                contextEngineID: configuration.contextEngineID, contextName: configuration.contextName,
                type: .informRequest, pdu: pdu))
        return try message.encoded(salt: &salt)
    }

    /// A reply to the inform: verified by the USM processor as any message from the receiver is.
    private mutating func answered(
        _ datagram: [UInt8], envelope: SNMPv3Envelope, attempts: Int, resynchronised: Bool, now: Int64
    ) -> Action {
        let verified: USMVerifiedMessage
        do {
            guard var processor else { return .keepWaiting }
            verified = try processor.verify(datagram[...], now: now)
            self.processor = processor
        } catch {
            // A Report the receiver could not protect (it could not identify or authenticate the inform) is
            // unauthenticated: it cannot be checked, but it says why the inform was refused.
            if envelope.header.flags & 0x01 == 0, case .plaintext(let scoped) = envelope.data,
                let report = try? USMScopedPDU(decoding: scoped), report.type == .report
            {
                state = .idle
                return .finish(reported(report, authenticated: false))
            }
            refused.append("\(error)")
            notes.append("refused a reply: \(error)")
            return .keepWaiting
        }
        switch verified.scopedPDU.type {
        case .response where verified.scopedPDU.pdu.requestID == pdu.requestID:
            state = .idle
            return .finish(.acknowledged(attempts: attempts))
        case .report:
            let authenticated = verified.securityLevel.isAuthenticated
            if Self.counter(of: verified.scopedPDU) == .usmStatsNotInTimeWindows, authenticated, !resynchronised,
                let engineID = receiverEngineID, let usm = verified.header.usm
            {
                // RFC 3414 §4: the authentic Report carries the receiver's clock; send again with it, once.
                processor?.remoteEngines.set(engineID: engineID, boots: usm.engineBoots, time: usm.engineTime, at: now)
                notes.append(
                    "resynchronised with the receiver's clock from a usmStatsNotInTimeWindows Report: boots "
                        + "\(usm.engineBoots), time \(usm.engineTime); sending the inform again")
                state = .informing(attempts: attempts + 1, resynchronised: true)
                // Every earlier transmission carried the old clock: their late Reports must not end the exchange.
                sentMessageIDs = []
                return informAction(now: now)
            }
            state = .idle
            return .finish(reported(verified.scopedPDU, authenticated: authenticated))
        default:
            notes.append("ignored a \(verified.scopedPDU.type) that does not answer request-id \(pdu.requestID)")
            return .keepWaiting
        }
    }

    private func reported(_ report: USMScopedPDU, authenticated: Bool) -> Outcome {
        .reported(
            counter: Self.counterName(report), authenticated: authenticated,
            explanation: Self.explanation(Self.counter(of: report), configuration: configuration,
                engineID: receiverEngineID, authenticated: authenticated))
    }

    private mutating func takeMessageID() -> Int32 {
        let messageID = nextMessageID
        nextMessageID = nextMessageID == Int32.max ? 1 : nextMessageID + 1
        sentMessageIDs.insert(messageID)
        return messageID
    }

    // MARK: Reports

    /// The counter a Report names by its first varbind (RFC 3412 §7.1 step 3, RFC 3414 §3.2); nil for other OIDs.
    static func counter(of report: USMScopedPDU) -> USMError.Kind? {
        guard let oid = report.pdu.varbinds.first?.oid else { return nil }
        return USMError.Kind.allCases.first { $0.counterOID == oid }
    }

    /// The counter's name, or the OID a Report carries when it is not one of RFC 3412's and RFC 3414's.
    static func counterName(_ report: USMScopedPDU) -> String {
        if let counter = counter(of: report) {
            return counter.rawValue
        }
        return report.pdu.varbinds.first.map { "\($0.oid)" } ?? "a Report without varbinds"
    }

    /// What a Report's counter means for this sender, in words an operator can act on.
    static func explanation(
        _ counter: USMError.Kind?, configuration: Configuration, engineID: [UInt8]?, authenticated: Bool
    ) -> String {
        let user = "\"\(configuration.user.name)\""
        let engine = engineID.map { "0x\($0.hexString)" } ?? "the receiver's engine"
        switch counter {
        case .usmStatsUnknownUserNames?:
            return "the receiver has no user \(user) for engine \(engine)"
        case .usmStatsWrongDigests?:
            return "authentication failed: the auth protocol or passphrase of user \(user) differs from the receiver's"
        case .usmStatsDecryptionErrors?:
            return "the receiver could not decrypt: the priv protocol or passphrase of user \(user) differs from "
                + "the receiver's"
        case .usmStatsUnsupportedSecLevels?:
            return "the receiver's user \(user) does not allow \(configuration.level.rawValue)"
        case .usmStatsUnknownEngineIDs?:
            return "the receiver's engine ID is not \(engine)"
        case .usmStatsNotInTimeWindows?:
            return authenticated
                ? "still outside the receiver's time window after resynchronising once"
                : "an unauthenticated Report cannot resynchronise the clock"
        case .snmpUnknownSecurityModels?, .snmpInvalidMsgs?, .snmpUnknownPDUHandlers?, .snmpInASNParseErrs?:
            return "the receiver could not process the inform"
        case nil:
            return "a counter this sender does not know"
        }
    }
}
