@testable import SNMPSecurity
import TrapDecoder

/// The engines, users and messages the USM tests share.
enum Fixtures {
    /// The receiver's own snmpEngineID (the corpus receiver's: "trapmux-rx" in net-snmp's text format).
    static let localEngineID = hex("80001f8804747261706d75782d7278")
    /// A trap sender's engine: the RFC 3414 A.3 engine ID.
    static let remoteEngineID = hex("000000000000000000000002")
    /// An engine nobody configured.
    static let unknownEngineID = hex("800007e5800badc0ffee5eed01")

    static let users: [USMUser] = [
        USMUser(
            name: "trap-sha256-aes", engineID: remoteEngineID, authProtocol: .sha256, authPassphrase: "maplesyrup",
            privProtocol: .aes, privPassphrase: "maplesyrup-priv"),
        USMUser(name: "trap-md5", engineID: remoteEngineID, authProtocol: .md5, authPassphrase: "maplesyrup"),
        USMUser(name: "trap-noauth", engineID: remoteEngineID),
        USMUser(
            name: "trap-strict", engineID: remoteEngineID, authProtocol: .sha1, authPassphrase: "maplesyrup",
            privProtocol: .des, privPassphrase: "maplesyrup-priv", minimumSecurityLevel: .authPriv),
        USMUser(
            name: "inform-sha-des", authProtocol: .sha1, authPassphrase: "inform-auth-pass", privProtocol: .des,
            privPassphrase: "inform-priv-pass"),
    ]

    /// Keys derived once for the whole suite.
    static let table: USMUserTable = {
        do {
            return try USMUserTable(users: users, localEngineID: localEngineID)
        } catch {
            fatalError("fixture users: \(error)")
        }
    }()

    static func user(_ name: String, on engineID: [UInt8]) -> USMLocalizedUser {
        guard let user = table.user(engineID: engineID, name: Array(name.utf8)) else {
            fatalError("no fixture user \(name)")
        }
        return user
    }

    /// A processor whose own engine is at boots 11, time 1000 when `now` is 0.
    static func processor(boots: Int32 = 11) -> USMProcessor {
        USMProcessor(
            users: table, localEngine: USMLocalEngine(engineID: localEngineID, boots: boots, time: 1000, at: 0))
    }

    /// sysUpTime.0, snmpTrapOID.0 = linkDown, ifIndex.2 = 2.
    static let varbinds: VarBindList = [
        VarBind(oid: OID("1.3.6.1.2.1.1.3.0")!, value: .timeTicks(4242)),
        VarBind(oid: OID("1.3.6.1.6.3.1.1.4.1.0")!, value: .objectIdentifier(OID("1.3.6.1.6.3.1.1.5.3")!)),
        VarBind(oid: OID("1.3.6.1.2.1.2.2.1.1.2")!, value: .integer(2)),
    ]

    static func scopedPDU(_ type: USMScopedPDU.PDUType = .trapV2, requestID: Int32 = 77) -> USMScopedPDU {
        USMScopedPDU(
            contextEngineID: remoteEngineID, contextName: Array("vrf-red".utf8), type: type,
            pdu: NotificationPDU(requestID: requestID, varbinds: varbinds))
    }

    /// A trap from the remote engine at boots 5, time 5000, through the library's builder.
    static func trap(
        _ userName: String = "trap-sha256-aes", level: SNMPSecurityLevel = .authPriv, boots: Int32 = 5,
        time: Int32 = 5000, type: USMScopedPDU.PDUType = .trapV2, reportable: Bool = false
    ) -> [UInt8] {
        let user = user(userName, on: remoteEngineID)
        var salt = USMSaltCounter(start: 1)
        let message = USMOutgoingMessage(
            messageID: 99, reportable: reportable,
            security: level == .noAuthNoPriv ? .unauthenticated(userName: user.nameOctets) : .user(user, level),
            engineID: remoteEngineID, engineBoots: boots, engineTime: time, scopedPDU: scopedPDU(type))
        return try! message.encoded(salt: &salt)
    }

    /// An inform to the local engine at boots 11, time 1000 (the receiver's clock at `now` 0).
    static func inform(boots: Int32 = 11, time: Int32 = 1000, level: SNMPSecurityLevel = .authPriv) -> [UInt8] {
        let user = user("inform-sha-des", on: localEngineID)
        var salt = USMSaltCounter(start: 1)
        let message = USMOutgoingMessage(
            messageID: 1234, reportable: true, security: .user(user, level), engineID: localEngineID,
            engineBoots: boots, engineTime: time, scopedPDU: scopedPDU(.informRequest, requestID: 31337))
        return try! message.encoded(salt: &salt)
    }

    /// net-snmp's engine ID discovery probe (RFC 3414 §4): reportable noAuthNoPriv, empty engine ID and user name,
    /// an empty GetRequest.
    static func discoveryProbe() -> [UInt8] {
        var salt = USMSaltCounter(start: 1)
        let message = USMOutgoingMessage(
            messageID: 555, reportable: true, security: .unauthenticated(userName: []), engineID: [], engineBoots: 0,
            engineTime: 0,
            scopedPDU: USMScopedPDU(
                contextEngineID: [], type: .getRequest, pdu: NotificationPDU(requestID: 8080, varbinds: [])))
        return try! message.encoded(salt: &salt)
    }
}
