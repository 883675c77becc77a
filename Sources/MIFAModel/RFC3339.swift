/// RFC 3339 date-times (https://www.rfc-editor.org/rfc/rfc3339#section-5.6), the ISO 8601 profile
/// MIFA uses for `timestamp` and `annotation_creation_time`.
///
/// A date-time is `YYYY-MM-DDThh:mm:ss`, optional fraction, and a required offset: `Z` or
/// `±hh:mm`. `-00:00` ("offset unknown"), which the BioImage Archive writes, is accepted.
public enum RFC3339 {
    /// Why a text is not a date-time with offset.
    public enum Problem: Sendable, Hashable {
        /// The text has no date-time shape at all.
        case notADateTime
        /// A date without a time.
        case dateOnly
        /// Date and time separated by a space instead of `T`.
        case spaceSeparator
        /// A date-time without `Z` or `±hh:mm`.
        case missingOffset
        /// A field out of range (month 13, hour 24, February 30, ...).
        case outOfRange(String)
    }

    /// `nil` if `text` is a valid date-time with offset, else why not.
    public static func check(_ text: String) -> Problem? {
        let s = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= s.count else { return nil }
            var value = 0
            for byte in s[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func at(_ index: Int, _ character: Character) -> Bool {
            index < s.count && s[index] == character.asciiValue!
        }
        guard let year = digits(0, 4), at(4, "-"), let month = digits(5, 2), at(7, "-"), let day = digits(8, 2) else {
            return .notADateTime
        }
        if s.count == 10 { return .dateOnly }
        if at(10, " ") {
            var fixed = s
            fixed[10] = UInt8(ascii: "T")
            let rest = check(String(decoding: fixed, as: UTF8.self))
            return rest == nil ? .spaceSeparator : rest
        }
        guard at(10, "T") || at(10, "t") else { return .notADateTime }
        guard let hour = digits(11, 2), at(13, ":"), let minute = digits(14, 2), at(16, ":"), let second = digits(17, 2) else {
            return .notADateTime
        }
        var index = 19
        if at(index, ".") {
            index += 1
            let start = index
            while index < s.count, s[index] >= 48 && s[index] <= 57 { index += 1 }
            if index == start { return .notADateTime }
        }
        guard index < s.count else { return .missingOffset }
        if at(index, "Z") || at(index, "z") {
            index += 1
        } else if at(index, "+") || at(index, "-") {
            guard let offsetHour = digits(index + 1, 2), at(index + 3, ":"), let offsetMinute = digits(index + 4, 2) else {
                return .notADateTime
            }
            if offsetHour > 23 || offsetMinute > 59 { return .outOfRange("offset \(offsetHour):\(offsetMinute)") }
            index += 6
        } else {
            return .notADateTime
        }
        guard index == s.count else { return .notADateTime }
        guard (1...12).contains(month) else { return .outOfRange("month \(month)") }
        guard day >= 1, day <= daysIn(month: month, year: year) else { return .outOfRange("day \(day) of month \(month) in \(year)") }
        guard hour <= 23 else { return .outOfRange("hour \(hour)") }
        guard minute <= 59 else { return .outOfRange("minute \(minute)") }
        guard second <= 60 else { return .outOfRange("second \(second)") }
        return nil
    }

    /// Whether `text` is a valid date-time with offset.
    public static func isValid(_ text: String) -> Bool { check(text) == nil }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
