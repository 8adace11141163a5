import ArgumentParser
import TrapDecoder
import TrapEvents
import TrapMuxServer

/// `--receiver-state ENGINE_ID_HEX,BOOTS,TIME,authoritative|remote`: the receiver's notion of one engine's
/// snmpEngineBoots and snmpEngineTime at the moment the datagram arrives (RFC 3414 §2.3).
struct ReceiverState: ExpressibleByArgument {
    /// The engine the state is about.
    let engineID: [UInt8]
    /// snmpEngineBoots.
    let boots: Int32
    /// snmpEngineTime.
    let time: Int32
    /// `authoritative`: the receiver's own engine; `remote`: its cache of a sender's engine.
    let authoritative: Bool

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 4, let engineID = HexText.octets(String(parts[0])), (5...32).contains(engineID.count),
            let boots = Int32(parts[1]), boots >= 0, let time = Int32(parts[2]), time >= 0
        else { return nil }
        switch parts[3] {
        case "authoritative": authoritative = true
        case "remote": authoritative = false
        default: return nil
        }
        self.engineID = engineID
        self.boots = boots
        self.time = time
    }

    static var defaultValueDescription: String { "ENGINE_ID_HEX,BOOTS,TIME,authoritative|remote" }
}
