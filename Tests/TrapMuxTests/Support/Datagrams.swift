@testable import TrapMuxServer
@testable import TrapEvents
import MIBLookup
import TOML
/// Datagrams for the command-line tests, dissected.
enum Datagrams {
    /// SPEC §5's example: an SNMPv1 linkDown trap from 192.0.2.7 (the same octets as TrapDecoderTests' fixture).
    static let v1LinkDown: [UInt8] = [
        0x30, 0x3C,  // SEQUENCE, 60 octets: Message
        0x02, 0x01, 0x00,  // version 0 (SNMPv1)
        0x04, 0x06, 0x70, 0x75, 0x62, 0x6C, 0x69, 0x63,  // community "public"
        0xA4, 0x2F,  // Trap-PDU, 47 octets
        0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xBF, 0x08, 0x03, 0x02, 0x0A,  // enterprise 1.3.6.1.4.1.8072.3.2.10
        0x40, 0x04, 0xC0, 0x00, 0x02, 0x07,  // agent-addr 192.0.2.7
        0x02, 0x01, 0x02,  // generic-trap 2 (linkDown)
        0x02, 0x01, 0x00,  // specific-trap 0
        0x43, 0x02, 0x10, 0x92,  // time-stamp 4242
        0x30, 0x11,  // variable-bindings, 17 octets
        0x30, 0x0F,  // VarBind
        0x06, 0x0A, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x02,  // ifIndex.2
        0x02, 0x01, 0x02,  // INTEGER 2
    ]

    /// SPEC §5's operator text for `v1LinkDown`.
    static let v1LinkDownText =
        "Link Down Trap SNMP-Trap-Multiplexer trapmux, Version: 0, Community: public "
        + "Enterprise: 1.3.6.1.4.1.8072.3.2.10 Network addr:192.0.2.7 Generic trap: 2, Specific trap: 0 "
        + "Time ticks: 4242 (varbind 1 OID=1.3.6.1.2.1.2.2.1.1.2, type=INTEGER, value=2)"

    /// `v1LinkDown` with its PDU tag changed to a4 → a0: a GetRequest-PDU at offset 13.
    static var getRequest: [UInt8] {
        var bytes = v1LinkDown
        bytes[13] = 0xA0
        return bytes
    }

    /// `v1LinkDown` with its version changed to 1: a v1 Trap-PDU in an SNMPv2c message, at offset 13.
    static var trapV1InV2c: [UInt8] {
        var bytes = v1LinkDown
        bytes[4] = 0x01
        return bytes
    }
}
