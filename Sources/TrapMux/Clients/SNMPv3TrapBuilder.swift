import SNMPSecurity
import TrapDecoder

/// SNMPv3 traps from `trapmux send` as their authoritative engine (RFC 3414 §3.1: the sender of a trap is): its engine
/// ID, its snmpEngineBoots, its snmpEngineTime from its own clock, and the user's keys localized to that engine once.
struct SNMPv3TrapBuilder {
    /// The sender's snmpEngineID.
    let engineID: [UInt8]
    /// The sender's snmpEngineBoots.
    let engineBoots: Int32
    private let security: USMOutgoingMessage.Security
    private let contextEngineID: [UInt8]
    private let contextName: [UInt8]
    /// Salts for encryption: one counter for the run, so no two messages share one under the same key.
    private var salt = USMSaltCounter()

    /// Derives the keys of `user` for `engineID` (milliseconds of hashing; once per run). `user` must allow `level`.
    init(
        user: USMUser, level: SNMPSecurityLevel, engineID: [UInt8], engineBoots: Int32, contextEngineID: [UInt8]?,
        contextName: [UInt8]
    ) throws(USMConfigurationError) {
        self.engineID = engineID
        self.engineBoots = engineBoots
        self.contextEngineID = contextEngineID ?? engineID
        self.contextName = contextName
        let localized = try USMLocalizedUser(user, engineID: engineID)
        security = level == .noAuthNoPriv ? .unauthenticated(userName: localized.nameOctets) : .user(localized, level)
    }

    /// The trap carrying `pdu` (its request-id doubles as the msgID), stamped `engineTime`.
    mutating func trap(_ pdu: NotificationPDU, engineTime: Int32) throws(USMConfigurationError) -> [UInt8] {
        let message = USMOutgoingMessage(
            messageID: pdu.requestID, maximumSize: USMProcessor.maximumMessageSize, reportable: false,
            security: security, engineID: engineID, engineBoots: engineBoots, engineTime: engineTime,
            scopedPDU: USMScopedPDU(
                contextEngineID: contextEngineID, contextName: contextName, type: .trapV2, pdu: pdu))
        return try message.encoded(salt: &salt)
    }

    /// `trapmux send`'s default snmpEngineID: the RFC 3411 text format under net-snmp's enterprise 8072 (`80001f88`
    /// `04`) with "trapmux-send@" and the host name, cut to 32 octets. Stable for a host, like net-snmp's own, and
    /// never the default of a `trapmux serve` on the same host ("trapmux-" + host name: a host name has no '@'),
    /// which would take the traps for messages to itself.
    static func defaultEngineID(hostName: String) -> [UInt8] {
        Array(([0x80, 0x00, 0x1F, 0x88, 0x04] + Array("trapmux-send@\(hostName)".utf8)).prefix(32))
    }
}
