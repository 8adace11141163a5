/// Comparison whose duration does not depend on where two MACs differ, so a forger learns nothing from timing.
enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same octets; lengths are public and compared first.
    static func equal(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
