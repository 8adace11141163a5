/// Label values taken from names that clients and configurations choose (subscriber names, relay target names),
/// with bounded cardinality: the first `limit` distinct names keep their own label value for the life of the
/// process, every later one is counted under `other`. So a client that subscribes under ever new names cannot grow
/// the number of series, and a name keeps the same series across reconnections.
package struct LabelBudget: Sendable {
    /// The value that every name beyond the limit shares.
    package static let overflow = "other"
    /// The longest label value kept; longer names are cut.
    package static let maximumLength = 64

    package let limit: Int
    private var known: Set<String> = []

    /// A budget of `limit` distinct names.
    package init(limit: Int) {
        self.limit = limit
    }

    /// The label value for `name`: the name itself (control characters as `_`, cut to `maximumLength`, `unnamed`
    /// when empty) while the budget lasts, `other` after.
    package mutating func value(for name: String) -> String {
        let cleaned = Self.cleaned(name)
        if known.contains(cleaned) { return cleaned }
        guard known.count < limit else { return Self.overflow }
        known.insert(cleaned)
        return cleaned
    }

    private static func cleaned(_ name: String) -> String {
        guard !name.isEmpty else { return "unnamed" }
        let printable = name.unicodeScalars.prefix(maximumLength).map { scalar in
            scalar.properties.generalCategory == .control ? "_" : String(scalar)
        }
        return printable.joined()
    }
}
