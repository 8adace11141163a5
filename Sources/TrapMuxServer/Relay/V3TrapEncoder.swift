import SNMPSecurity
import TrapDecoder
import TrapEvents

/// Re-encodes notifications as SNMPv3 traps for a relay target's upstream user (relay mode `v3`), so that a trap
/// received encrypted leaves trapmux encrypted.
///
/// trapmux sends these traps as an SNMP engine of its own: a trap's sender is authoritative (RFC 3414 §3.1), so
/// the user's keys are localized to trapmux's snmpEngineID (unless the relay names another `engine_id`), and each
/// message carries trapmux's snmpEngineBoots and snmpEngineTime. The upstream configures the user with that engine
/// ID (net-snmp: `createUser -e ENGINEID ...`). The message is protected at the highest level the user's
/// protocols allow.
package struct V3TrapEncoder {
    package let user: USMLocalizedUser
    package let level: SNMPSecurityLevel
    package let engine: USMLocalEngine
    private var salt = USMSaltCounter()
    private var messageID = Int32.random(in: 1...0x00FF_FFFF)

    /// An encoder for `user`, as the engine `engine`; the keys are derived here (milliseconds).
    package init(user: USMUser, engine: USMLocalEngine) throws(USMConfigurationError) {
        self.user = try USMLocalizedUser(user, engineID: user.engineID ?? engine.engineID)
        self.level = user.highestSecurityLevel
        self.engine = engine
    }

    /// The SNMPv3 trap carrying `notification`'s varbinds under `requestID`; nil if it cannot be protected.
    package mutating func encode(_ notification: NotificationPDU, requestID: Int32) -> [UInt8]? {
        messageID = messageID == Int32.max ? 1 : messageID + 1
        let security: USMOutgoingMessage.Security =
            level == .noAuthNoPriv ? .unauthenticated(userName: user.nameOctets) : .user(user, level)
        let message = USMOutgoingMessage(
            messageID: messageID, reportable: false, security: security, engineID: user.engineID,
            engineBoots: engine.boots, engineTime: engine.time(at: MonotonicSeconds.now()),
            scopedPDU: USMScopedPDU(
                contextEngineID: engine.engineID, type: .trapV2,
                pdu: NotificationPDU(requestID: requestID, varbinds: notification.varbinds)))
        return try? message.encoded(salt: &salt)
    }
}
