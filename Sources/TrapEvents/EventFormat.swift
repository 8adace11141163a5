/// How an event is written for a reader: the event JSON (SPEC §6) or the operator text (SPEC §5), one line each.
package enum EventFormat: String, Sendable, CaseIterable, Codable {
    case json
    case text
}
