/// The receiver's own SNMP engine: snmpEngineID, snmpEngineBoots and the clock of snmpEngineTime (RFC 3414 §2.2).
///
/// Time is computed from a caller's monotonic clock in seconds (`now`), so tests and `trapmux decode` can set it.
public struct USMLocalEngine: Hashable, Sendable {
    /// snmpEngineID.
    public let engineID: [UInt8]
    /// snmpEngineBoots; 2147483647 means the engine must be reconfigured: no message is then in its time window.
    public let boots: Int32
    /// snmpEngineTime at `reference`.
    private let timeAtReference: Int32
    /// The `now` at which snmpEngineTime was `timeAtReference`.
    private let reference: Int64

    /// An engine whose snmpEngineTime is `time` at `now` (e.g. 0 at start).
    public init(engineID: [UInt8], boots: Int32, time: Int32 = 0, at now: Int64) {
        self.engineID = engineID
        self.boots = boots
        self.timeAtReference = time
        self.reference = now
    }

    /// snmpEngineTime at `now`; it stays at 2147483647 rather than wrap (RFC 3414 §2.2.2 has boots incremented then,
    /// which needs a restart here, some 68 years on).
    public func time(at now: Int64) -> Int32 {
        let elapsed = max(0, now - reference)
        return Int32(clamping: Int64(timeAtReference) + elapsed)
    }
}

extension USMLocalEngine {
    /// trapmux's default snmpEngineID (SPEC §3a): the RFC 3411 text format under net-snmp's enterprise 8072
    /// (`80001f88` `04`) with "trapmux-" and the host name, cut to the 32 octets an engine ID may have. Stable
    /// across restarts as long as the host name is.
    public static func defaultEngineID(hostName: String) -> [UInt8] {
        Array(([0x80, 0x00, 0x1F, 0x88, 0x04] + Array("trapmux-\(hostName)".utf8)).prefix(32))
    }
}
