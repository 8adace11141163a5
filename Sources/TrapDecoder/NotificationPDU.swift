/// An SNMPv2 PDU carrying a notification: SNMPv2-Trap-PDU or InformRequest-PDU (RFC 3416 §3).
public struct NotificationPDU: Hashable, Sendable {
    /// request-id, echoed in the Response-PDU that answers an inform.
    public var requestID: Int32
    /// error-status (zero in notifications).
    public var errorStatus: Int32
    /// error-index (zero in notifications).
    public var errorIndex: Int32
    /// The variable-bindings; the first two are normally sysUpTime.0 and snmpTrapOID.0.
    public var varbinds: VarBindList

    /// Creates a notification PDU.
    public init(requestID: Int32, errorStatus: Int32 = 0, errorIndex: Int32 = 0, varbinds: VarBindList) {
        self.requestID = requestID
        self.errorStatus = errorStatus
        self.errorIndex = errorIndex
        self.varbinds = varbinds
    }
}
