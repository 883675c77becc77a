public import Foundation
import MIFAModel

/// The time stamps of version records: RFC 3339 in UTC with millisecond precision, so that
/// versions made in quick succession (a script, a demo) still get strictly increasing time stamps.
///
/// When the environment variable `SOURCE_DATE_EPOCH` holds a whole number of seconds, that time is
/// used instead of the clock (the reproducible-builds convention), so that tests and examples make
/// byte-identical packages.
public enum PackageClock {
    /// The current time stamp, e.g. `2026-11-21T03:35:58.125Z`; with `SOURCE_DATE_EPOCH` set,
    /// that time in whole seconds, e.g. `2026-11-21T03:35:58Z`.
    public static func now() -> String {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Int(text), seconds >= 0 {
            return timestamp(Date(timeIntervalSince1970: TimeInterval(seconds)), fractionalSeconds: false)
        }
        return timestamp(Date(), fractionalSeconds: true)
    }

    /// The RFC 3339 UTC form of a date, in whole seconds or with milliseconds.
    public static func timestamp(_ date: Date, fractionalSeconds: Bool = false) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractionalSeconds ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The date of an RFC 3339 time stamp with offset (whole or fractional seconds); `nil` for
    /// anything else. Version records are ordered by it.
    public static func date(_ text: String) -> Date? {
        guard RFC3339.isValid(text) else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
