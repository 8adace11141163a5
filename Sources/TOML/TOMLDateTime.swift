/// A TOML date-time value: an offset date-time, a local date-time, a local date or a local time (TOML 1.0 §Offset
/// Date-Time … §Local Time), checked when created: months 1–12, days that exist in their month (leap years),
/// hours 0–23, minutes 0–59, seconds 0–60 (a leap second), offsets within ±23:59.
package struct TOMLDateTime: Hashable, Sendable, CustomStringConvertible {
    package struct Date: Hashable, Sendable {
        package var year: Int
        package var month: Int
        package var day: Int
    }

    package struct Time: Hashable, Sendable {
        package var hour: Int
        package var minute: Int
        package var second: Int
        /// Fractional seconds in nanoseconds; digits beyond the ninth are dropped.
        package var nanosecond: Int
    }

    /// Nil for a local time.
    package let date: Date?
    /// Nil for a local date.
    package let time: Time?
    /// Minutes east of UTC (`Z` = 0); nil for local date-times, dates and times.
    package let offsetMinutes: Int?

    /// Nil unless the fields form one of TOML's four kinds and each field is in its range.
    package init?(date: Date?, time: Time?, offsetMinutes: Int? = nil) {
        guard date != nil || time != nil, offsetMinutes == nil || (date != nil && time != nil) else { return nil }
        if let date {
            guard (1...12).contains(date.month), (1...Self.days(inMonth: date.month, year: date.year)).contains(date.day)
            else { return nil }
        }
        if let time {
            guard (0...23).contains(time.hour), (0...59).contains(time.minute), (0...60).contains(time.second),
                (0..<1_000_000_000).contains(time.nanosecond)
            else { return nil }
        }
        if let offsetMinutes, abs(offsetMinutes) > 23 * 60 + 59 { return nil }
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    package static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// toml-test's type name: `datetime` (with an offset), `datetime-local`, `date-local` or `time-local`.
    package var kindName: String {
        switch (date != nil, time != nil) {
        case (true, true): return offsetMinutes == nil ? "datetime-local" : "datetime"
        case (true, false): return "date-local"
        default: return "time-local"
        }
    }

    /// The type with an article, for error messages.
    package var typeName: String {
        switch (date != nil, time != nil) {
        case (true, true): return offsetMinutes == nil ? "a local date-time" : "a date-time"
        case (true, false): return "a date"
        default: return "a time"
        }
    }

    /// RFC 3339 text: `1979-05-27T07:32:00.5-07:00`, `1979-05-27`, `07:32:00`; fractions without trailing zeros.
    package var description: String {
        var text = ""
        if let date {
            text += Self.digits(date.year, 4) + "-" + Self.digits(date.month, 2) + "-" + Self.digits(date.day, 2)
        }
        if let time {
            if date != nil { text += "T" }
            text += Self.digits(time.hour, 2) + ":" + Self.digits(time.minute, 2) + ":" + Self.digits(time.second, 2)
            if time.nanosecond > 0 {
                var fraction = Self.digits(time.nanosecond, 9)
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "." + fraction
            }
        }
        if let offsetMinutes {
            if offsetMinutes == 0 {
                text += "Z"
            } else {
                let magnitude = abs(offsetMinutes)
                text += (offsetMinutes < 0 ? "-" : "+") + Self.digits(magnitude / 60, 2) + ":" + Self.digits(magnitude % 60, 2)
            }
        }
        return text
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
