import TrapDecoder

/// Formats wall-clock times as RFC 3339 UTC text with microseconds (`2026-11-26T12:49:09.123456Z`).
///
/// Pure arithmetic (days-from-civil inverted) because it runs once per event.
package enum RFC3339 {
    /// Text for `microseconds` since 1970-01-01T00:00:00Z.
    package static func format(microseconds: Int64) -> String {
        var text = OutputBytes(capacity: 32)
        append(microseconds: microseconds, to: &text)
        return text.string
    }

    /// Appends the text for `microseconds` since the epoch to `bytes`.
    package static func append(microseconds: Int64, to bytes: inout OutputBytes) {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        pad(year, 4, "-", &bytes)
        pad(month, 2, "-", &bytes)
        pad(day, 2, "T", &bytes)
        pad(secondOfDay / 3600, 2, ":", &bytes)
        pad(secondOfDay / 60 % 60, 2, ":", &bytes)
        pad(secondOfDay % 60, 2, ".", &bytes)
        pad(fraction, 6, "Z", &bytes)
    }

    private static func pad(_ value: Int64, _ width: Int, _ separator: Unicode.Scalar, _ bytes: inout OutputBytes) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        DecimalText.append(value.magnitude, width: width, to: &bytes)
        bytes.append(UInt8(ascii: separator))
    }
}
