import ArgumentParser

/// The SNMP version `trapmux send` speaks, as `--snmp-version` names it.
enum NotificationVersion: String, CaseIterable, Sendable, ExpressibleByArgument {
    case v1 = "1"
    case v2c = "2c"
    case v3 = "3"
}
