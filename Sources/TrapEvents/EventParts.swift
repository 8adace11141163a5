/// Which optional parts a trap event's JSON carries (a subscriber's `fields`). The core (type, seq, received_at,
/// source, the decoded fields of SPEC §6 with both RFC 3584 views, and for SNMPv3 the user and context) is always
/// there; everything is the default, as SPEC §6 describes the event.
///
/// Events are rendered once per distinct set, however many subscribers ask for it.
package struct EventParts: OptionSet, Hashable, Sendable {
    package let rawValue: UInt8

    package init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `varbinds`: the variable-bindings with their types and values.
    package static let varbinds = EventParts(rawValue: 1 << 0)
    /// `text`: the operator message (SPEC §5); about as many bytes again as the rest.
    package static let text = EventParts(rawValue: 1 << 1)
    /// `names`: MIB names beside the numeric OIDs (`enterprise_name`, `trap_name`, and `name`, `value_name` on
    /// varbinds), when MIB names are on.
    package static let names = EventParts(rawValue: 1 << 2)
    /// `v3`: the SNMPv3 header object (message and USM parameters as sent).
    package static let v3 = EventParts(rawValue: 1 << 3)

    /// Every part: the default.
    package static let all: EventParts = [.varbinds, .text, .names, .v3]

    /// The parts by the names a subscribe request uses.
    package static let byName: [String: EventParts] = ["varbinds": .varbinds, "text": .text, "names": .names, "v3": .v3]

    /// The part names, for error messages.
    package static let namesText = "\"varbinds\", \"text\", \"names\", \"v3\""
}
