import TrapDecoder

/// Incoming SNMPv3 message processing with the User-based Security Model, as a value: the user table, the
/// receiver's own engine and its cache of remote engines' clocks.
///
/// Checks run in RFC 3412 §7.2 and RFC 3414 §3.2 order, each failure a `USMError` named after its counter:
/// parse, security model, msgFlags, engine ID, user, security level, HMAC (constant time), time window, decryption,
/// then the scopedPDU. Nothing of a message that fails is returned. `now` is the caller's monotonic clock in seconds.
public struct USMProcessor: Sendable {
    /// The users and their localized keys.
    public var users: USMUserTable
    /// The receiver's own engine, authoritative for informs sent to it.
    public var localEngine: USMLocalEngine
    /// The notion of each remote (trap-sending) engine's clock, updated by authentic messages.
    public var remoteEngines: USMRemoteEngineCache

    /// The window either side of the notion of an engine's time (RFC 3414 §3.2 step 7).
    public static let timeWindow: Int64 = 150

    /// A processor for `users`, receiving as `localEngine`.
    public init(
        users: USMUserTable, localEngine: USMLocalEngine, remoteEngines: USMRemoteEngineCache = USMRemoteEngineCache()
    ) {
        self.users = users
        self.localEngine = localEngine
        self.remoteEngines = remoteEngines
    }

    /// Processes one datagram that claims to be SNMPv3; returns the notification, or throws why it is not accepted.
    public mutating func process(_ datagram: ArraySlice<UInt8>, now: Int64) throws(USMError) -> USMIncomingMessage {
        let checked = try authenticate(datagram, now: now)
        let message = try checked.decode { (scopedPDU, padded) throws(TrapDecodingError) in
            try TrapMessage(v3: checked.header, scopedPDU: scopedPDU, padded: padded)
        }
        // RFC 3412 §7.2 step 13: a confirmed-class PDU (an inform) is only for the engine it is addressed to.
        if case .inform = message.pdu, !checked.isAuthoritative {
            throw USMError(
                .usmStatsUnknownEngineIDs, at: checked.engineIDOffset,
                "an InformRequest to engine \(checked.user.engineID.hexString), which is not this engine",
                report: checked.reportContext(.noAuthNoPriv))
        }
        return USMIncomingMessage(
            message: message, user: checked.user, securityLevel: checked.level,
            isAuthoritative: checked.isAuthoritative)
    }

    /// Processes one SNMPv3 message with a PDU of any type through the same checks as `process(_:now:)`: what a
    /// notification originator needs to trust the Response or Report that answers its inform. Whether the PDU is
    /// one the caller expects (and from the engine it expects) is the caller's to judge.
    public mutating func verify(_ datagram: ArraySlice<UInt8>, now: Int64) throws(USMError) -> USMVerifiedMessage {
        let checked = try authenticate(datagram, now: now)
        let scopedPDU = try checked.decode { (scopedPDU, padded) throws(TrapDecodingError) in
            try USMScopedPDU(decoding: scopedPDU, padded: padded)
        }
        return USMVerifiedMessage(
            header: checked.header, scopedPDU: scopedPDU, user: checked.user, securityLevel: checked.level,
            isAuthoritative: checked.isAuthoritative)
    }

    /// A message that passed every check up to its scopedPDU, which is in plaintext here, decrypted if need be.
    private struct Authenticated {
        /// The header as sent, with `acceptedSecurityLevel` set.
        let header: SNMPv3Header
        let user: USMLocalizedUser
        let level: SNMPSecurityLevel
        let isAuthoritative: Bool
        /// The plaintext scopedPDU (with DES padding after it when `decryptedWith` is DES).
        let scopedPDU: ArraySlice<UInt8>
        /// The privacy protocol that decrypted `scopedPDU`; nil when it was sent in plaintext.
        let decryptedWith: USMPrivProtocol?
        /// Offsets in the datagram of msgData and msgAuthoritativeEngineID.
        let dataOffset: Int
        let engineIDOffset: Int
        /// The Report context of a failure at a given level; nil when the sender asked for no reports.
        let reportContext: (SNMPSecurityLevel) -> USMError.ReportContext?

        /// Decodes the scopedPDU with `decoder`. A plaintext that does not decode is a parse error (with its offset in
        /// the datagram); a decrypted one a decryption error, since with a CFB cipher a wrong key shows only as a
        /// plaintext that does not parse. Either way a PDU that is not a notification is `snmpUnknownPDUHandlers`.
        func decode<Result>(
            _ decoder: (ArraySlice<UInt8>, Bool) throws(TrapDecodingError) -> Result
        ) throws(USMError) -> Result {
            do {
                return try decoder(scopedPDU, decryptedWith == .des)
            } catch {
                guard let priv = decryptedWith else {
                    let located = TrapDecodingError(error.kind, at: error.offset + dataOffset, error.reason)
                    throw USMError(
                        located.kind == .notANotification ? .snmpUnknownPDUHandlers : .snmpInASNParseErrs,
                        at: located.offset, located.reason, decodingError: located)
                }
                if error.kind == .notANotification {
                    throw USMError(
                        .snmpUnknownPDUHandlers, at: dataOffset, "the decrypted scopedPDU: \(error.reason)",
                        decodingError: error)
                }
                throw USMError(
                    .usmStatsDecryptionErrors, at: dataOffset,
                    "the \(priv.rawValue)-decrypted encryptedPDU is not a scopedPDU (\(error.kind.rawValue) at "
                        + "plaintext offset \(error.offset): \(error.reason)); wrong priv key or protocol?",
                    report: reportContext(.noAuthNoPriv))
            }
        }
    }

    /// RFC 3412 §7.2 and RFC 3414 §3.2 up to the scopedPDU: parse, security model, msgFlags, engine ID, user,
    /// security level, HMAC, time window and decryption.
    private mutating func authenticate(_ datagram: ArraySlice<UInt8>, now: Int64) throws(USMError) -> Authenticated {
        // RFC 3412 §7.2 steps 1-3: the message must parse (its scopedPDU is read only once it is trusted).
        let envelope: SNMPv3Envelope
        do {
            envelope = try SNMPv3Envelope(decoding: datagram)
        } catch {
            throw USMError(.snmpInASNParseErrs, at: error.offset, error.reason, decodingError: error)
        }
        let header = envelope.header
        let reportable = header.flags & 0x04 != 0
        func offset(_ field: ArraySlice<UInt8>) -> Int { field.startIndex - datagram.startIndex }
        let report = { (level: SNMPSecurityLevel) -> USMError.ReportContext? in
            guard reportable else { return nil }
            let readable = Self.peek(envelope.data)
            return USMError.ReportContext(
                messageID: header.messageID, userName: Array(header.usm?.userName ?? []),
                engineID: Array(header.usm?.engineID ?? []), securityLevel: level, requestID: readable.requestID,
                contextName: readable.contextName)
        }

        // Step 4.
        guard header.securityModel == 3, let usm = header.usm else {
            throw USMError(
                .snmpUnknownSecurityModels, at: 0,
                "msgSecurityModel \(header.securityModel) is not the User-based Security Model (3)",
                report: report(.noAuthNoPriv))
        }
        // Step 5.
        guard let level = SNMPSecurityLevel(flags: header.flags) else {
            throw USMError(
                .snmpInvalidMsgs, at: 0,
                "msgFlags 0x\(String(header.flags, radix: 16)) asks for privacy without authentication")
        }

        // RFC 3414 §3.2 steps 3-5.
        let engineID = Array(usm.engineID)
        let isAuthoritative = engineID == localEngine.engineID
        let user = try user(of: usm, engineID: engineID, level: level, isAuthoritative: isAuthoritative, offset: offset, report: report)
        if let auth = user.authProtocol, level.isAuthenticated {
            try verify(
                datagram, auth: auth, user: user, usm: usm, isAuthoritative: isAuthoritative, now: now, offset: offset,
                report: report)
        }

        var acceptedHeader = header
        acceptedHeader.acceptedSecurityLevel = level
        let (plaintext, decryptedWith) = try scopedPDU(
            of: envelope, user: user, level: level, privacyOffset: offset(usm.privacyParameters), report: report)
        return Authenticated(
            header: acceptedHeader, user: user, level: level, isAuthoritative: isAuthoritative, scopedPDU: plaintext,
            decryptedWith: decryptedWith, dataOffset: envelope.dataOffset, engineIDOffset: offset(usm.engineID),
            reportContext: report)
    }

    /// RFC 3414 §3.2 steps 8-9: the scopedPDU, decrypted when the message is private; with the protocol used.
    private func scopedPDU(
        of envelope: SNMPv3Envelope, user: USMLocalizedUser, level: SNMPSecurityLevel, privacyOffset: Int,
        report: (SNMPSecurityLevel) -> USMError.ReportContext?
    ) throws(USMError) -> (ArraySlice<UInt8>, USMPrivProtocol?) {
        if let priv = user.privProtocol, level.isPrivate {
            let plaintext = try decrypt(envelope, priv: priv, user: user, privacyOffset: privacyOffset, report: report(.noAuthNoPriv))
            return (plaintext[...], priv)
        }
        guard case .plaintext(let scoped) = envelope.data else {
            let error = TrapDecodingError(
                .unexpectedTag, at: envelope.dataOffset, "msgData is an encryptedPDU but msgFlags does not ask for privacy")
            throw USMError(.snmpInASNParseErrs, at: error.offset, error.reason, decodingError: error)
        }
        return (scoped, nil)
    }

    /// RFC 3414 §3.2 steps 3-5: the engine must be this one or one with users, the user must exist there, and
    /// support the message's security level (and the user's configured minimum).
    private func user(
        of usm: SNMPv3Header.USMSecurityParameters, engineID: [UInt8], level: SNMPSecurityLevel, isAuthoritative: Bool,
        offset: (ArraySlice<UInt8>) -> Int, report: (SNMPSecurityLevel) -> USMError.ReportContext?
    ) throws(USMError) -> USMLocalizedUser {
        guard isAuthoritative || users.hasUsers(onEngine: engineID) else {
            let what = engineID.isEmpty ? "an empty msgAuthoritativeEngineID (engine ID discovery)" :
                "msgAuthoritativeEngineID \(engineID.hexString) is neither this engine's nor one with users"
            throw USMError(.usmStatsUnknownEngineIDs, at: offset(usm.engineID), what, report: report(.noAuthNoPriv))
        }
        guard let user = users.user(engineID: engineID, name: usm.userName) else {
            throw USMError(
                .usmStatsUnknownUserNames, at: offset(usm.userName),
                "no user \"\(Self.printable(usm.userName))\" on engine \(engineID.hexString)",
                report: report(.noAuthNoPriv))
        }
        guard user.supports(level) else {
            throw USMError(
                .usmStatsUnsupportedSecLevels, at: offset(usm.userName),
                "\(user) cannot verify a message at \(level.rawValue)", report: report(.noAuthNoPriv))
        }
        guard level >= user.minimumSecurityLevel else {
            throw USMError(
                .usmStatsUnsupportedSecLevels, at: offset(usm.userName),
                "\(user) requires at least \(user.minimumSecurityLevel.rawValue), the message is \(level.rawValue)",
                report: report(.noAuthNoPriv))
        }
        return user
    }

    /// RFC 3414 §3.2 steps 6-7: the HMAC over the message with its authentication parameters zeroed, then the
    /// time window (this engine's own, or the one learnt for the remote engine).
    private mutating func verify(
        _ datagram: ArraySlice<UInt8>, auth: USMAuthProtocol, user: USMLocalizedUser, usm: SNMPv3Header.USMSecurityParameters,
        isAuthoritative: Bool, now: Int64, offset: (ArraySlice<UInt8>) -> Int,
        report: (SNMPSecurityLevel) -> USMError.ReportContext?
    ) throws(USMError) {
        let parameters = usm.authenticationParameters
        guard parameters.count == auth.macLength else {
            throw USMError(
                .usmStatsWrongDigests, at: offset(parameters),
                "msgAuthenticationParameters has \(parameters.count) octets; \(auth.rawValue) needs "
                    + "\(auth.macLength)",
                report: report(.noAuthNoPriv))
        }
        var zeroed = Array(datagram)
        let start = offset(parameters)
        zeroed.replaceSubrange(start..<(start + parameters.count), with: repeatElement(0, count: parameters.count))
        guard let mac = auth.mac(key: user.authKey, data: zeroed), ConstantTime.equal(mac, parameters) else {
            throw USMError(
                .usmStatsWrongDigests, at: start, "the \(auth.rawValue) HMAC does not match for \(user)",
                report: report(.noAuthNoPriv))
        }
        let engineID = Array(usm.engineID)
        if isAuthoritative {
            try checkOwnTimeWindow(usm, at: offset(usm.engineID), now: now, report: report(.authNoPriv))
        } else if !remoteEngines.admit(engineID: engineID, boots: usm.engineBoots, time: usm.engineTime, at: now) {
            let notion = remoteEngines.entry(for: engineID)
            // Step 7b returns notInTimeWindow and sends no Report.
            throw USMError(
                .usmStatsNotInTimeWindows, at: offset(usm.engineID),
                "boots \(usm.engineBoots), time \(usm.engineTime) is outside the window of engine "
                    + "\(engineID.hexString) (known as boots \(notion?.boots ?? 0), time "
                    + "\(notion?.time(at: now) ?? 0))")
        }
    }

    /// RFC 3414 §3.2 step 7a: the receiver is authoritative.
    private func checkOwnTimeWindow(
        _ usm: SNMPv3Header.USMSecurityParameters, at offset: Int, now: Int64, report: USMError.ReportContext?
    ) throws(USMError) {
        let time = localEngine.time(at: now)
        let reason: String?
        if localEngine.boots == Int32.max {
            reason = "this engine's snmpEngineBoots is at its maximum 2147483647"
        } else if usm.engineBoots != localEngine.boots {
            reason = "boots \(usm.engineBoots) is not this engine's \(localEngine.boots)"
        } else if abs(Int64(usm.engineTime) - Int64(time)) > Self.timeWindow {
            reason = "time \(usm.engineTime) is more than \(Self.timeWindow) s from this engine's \(time)"
        } else {
            reason = nil
        }
        if let reason {
            throw USMError(.usmStatsNotInTimeWindows, at: offset, reason, report: report)
        }
    }

    /// RFC 3414 §3.2 step 8: the encryptedPDU decrypted with the user's key; the plaintext is read by the caller.
    private func decrypt(
        _ envelope: SNMPv3Envelope, priv: USMPrivProtocol, user: USMLocalizedUser, privacyOffset: Int,
        report: USMError.ReportContext?
    ) throws(USMError) -> [UInt8] {
        let usm = envelope.header.usm
        let salt = usm?.privacyParameters ?? []
        guard case .encrypted(let ciphertext) = envelope.data else {
            throw USMError(
                .usmStatsDecryptionErrors, at: envelope.dataOffset,
                "msgFlags asks for privacy but msgData is a plaintext scopedPDU", report: report)
        }
        guard salt.count == 8 else {
            throw USMError(
                .usmStatsDecryptionErrors, at: privacyOffset,
                "msgPrivacyParameters has \(salt.count) octets, not 8", report: report)
        }
        if priv == .des, ciphertext.isEmpty || ciphertext.count % 8 != 0 {
            throw USMError(
                .usmStatsDecryptionErrors, at: envelope.dataOffset,
                "a DES encryptedPDU of \(ciphertext.count) octets is not whole 8-octet blocks", report: report)
        }
        guard
            let plaintext = priv.crypt(
                encrypt: false, ciphertext, key: user.privKey, salt: salt, boots: usm?.engineBoots ?? 0,
                time: usm?.engineTime ?? 0)
        else {
            throw USMError(
                .usmStatsDecryptionErrors, at: envelope.dataOffset, "\(priv.rawValue) decryption failed",
                report: report)
        }
        return plaintext
    }

    /// request-id and contextName of a plaintext scopedPDU, for a Report; nil where they cannot be read.
    private static func peek(_ data: SNMPv3Envelope.ScopedPDUData) -> (requestID: Int32?, contextName: [UInt8]?) {
        guard case .plaintext(let scoped) = data else { return (nil, nil) }
        var outer = BERReader(scoped)
        guard var scopedPDU = try? outer.readConstructed(BERTag.sequence),
            (try? scopedPDU.readElement(BERTag.octetString)) != nil,
            let contextName = try? scopedPDU.readElement(BERTag.octetString).content
        else { return (nil, nil) }
        guard let pdu = try? scopedPDU.readElement(), pdu.isConstructed,
            var fields = try? outer.nested(in: pdu),
            let requestID = try? fields.readInt32("request-id")
        else { return (nil, Array(contextName)) }
        return (requestID, Array(contextName))
    }

    /// A user name for an error message: its text when printable, else hex.
    static func printable(_ octets: ArraySlice<UInt8>) -> String {
        if octets.allSatisfy({ (0x20...0x7E).contains($0) }) {
            return String(decoding: octets, as: UTF8.self)
        }
        return "0x" + octets.hexString
    }
}
