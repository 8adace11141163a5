import TrapDecoder

extension USMProcessor {
    /// The most octets trapmux accepts in one message: a UDP payload over IPv4.
    public static let maximumMessageSize: Int32 = 65507

    /// The Response-PDU that acknowledges an accepted inform (RFC 3413 §3.4, RFC 3412 §7.1): msgID, request-id,
    /// varbinds, context, user and level as received, from this engine (authoritative). Nil when `incoming` is not
    /// an inform.
    public func response(
        to incoming: USMIncomingMessage, now: Int64, salt: inout USMSaltCounter
    ) throws(USMConfigurationError) -> [UInt8]? {
        guard case .inform(let inform) = incoming.message.pdu, let header = incoming.message.v3 else { return nil }
        let security: USMOutgoingMessage.Security =
            incoming.securityLevel == .noAuthNoPriv
            ? .unauthenticated(userName: incoming.user.nameOctets) : .user(incoming.user, incoming.securityLevel)
        let message = USMOutgoingMessage(
            messageID: header.messageID, maximumSize: Self.maximumMessageSize, reportable: false, security: security,
            engineID: localEngine.engineID, engineBoots: localEngine.boots, engineTime: localEngine.time(at: now),
            scopedPDU: USMScopedPDU(
                contextEngineID: Array(header.contextEngineID ?? []), contextName: Array(header.contextName ?? []),
                type: .response, pdu: NotificationPDU(requestID: inform.requestID, varbinds: inform.varbinds)))
        return try message.encoded(salt: &salt)
    }

    /// The Report-PDU that answers a reportable message that failed (RFC 3412 §7.1 step 3, RFC 3414 §3.1 and §4):
    /// the failure's counter and `counterValue` (its value after counting this failure), this engine's ID, boots
    /// and time, so a sender doing discovery learns them. Nil when the failure is not to be reported.
    ///
    /// usmStatsNotInTimeWindows is reported at authNoPriv under the sender's user, so the sender can trust the time;
    /// every other report is noAuthNoPriv.
    public func report(for error: USMError, counterValue: UInt32, now: Int64, salt: inout USMSaltCounter) -> [UInt8]? {
        guard let context = error.report else { return nil }
        var security = USMOutgoingMessage.Security.unauthenticated(userName: context.userName)
        if context.securityLevel.isAuthenticated, context.engineID == localEngine.engineID,
            let user = users.user(engineID: context.engineID, name: context.userName), user.supports(.authNoPriv)
        {
            security = .user(user, .authNoPriv)
        }
        let message = USMOutgoingMessage(
            messageID: context.messageID, maximumSize: Self.maximumMessageSize, reportable: false, security: security,
            engineID: localEngine.engineID, engineBoots: localEngine.boots, engineTime: localEngine.time(at: now),
            scopedPDU: USMScopedPDU(
                contextEngineID: localEngine.engineID, contextName: context.contextName ?? [], type: .report,
                pdu: NotificationPDU(
                    requestID: context.requestID ?? 0,
                    varbinds: [VarBind(oid: error.kind.counterOID, value: .counter32(counterValue))])))
        return try? message.encoded(salt: &salt)
    }
}
