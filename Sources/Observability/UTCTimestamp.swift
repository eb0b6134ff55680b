import Glibc

/// Formats wall-clock instants as UTC RFC 3339 with milliseconds, e.g.
/// `2026-11-23T10:00:00.123Z`, without Foundation.
public enum UTCTimestamp {
    /// The current wall-clock time, read with `clock_gettime(CLOCK_REALTIME)`.
    static func now() -> String {
        var time = timespec()
        let status = clock_gettime(CLOCK_REALTIME, &time)
        precondition(status == 0, "clock_gettime(CLOCK_REALTIME) failed: errno \(errno)")
        return format(seconds: time.tv_sec, nanoseconds: time.tv_nsec)
    }

    /// Formats `milliseconds` since the Unix epoch (the API's times: token expiry, a user's lock),
    /// at most the last millisecond of the year 9999, which RFC 3339 can write.
    public static func format(milliseconds: UInt64) -> String {
        let bounded = min(milliseconds, lastMillisecond)
        return format(seconds: Int(bounded / 1_000), nanoseconds: Int(bounded % 1_000) * 1_000_000)
    }

    static let lastMillisecond: UInt64 = 253_402_300_799_999

    /// Formats `seconds` since the Unix epoch plus `nanoseconds` (truncated to milliseconds).
    static func format(seconds: Int, nanoseconds: Int) -> String {
        precondition((0..<1_000_000_000).contains(nanoseconds), "nanoseconds out of range")
        var epochSeconds = time_t(seconds)
        var parts = tm()
        let converted = gmtime_r(&epochSeconds, &parts)
        precondition(converted != nil, "gmtime_r failed for \(seconds)")
        var text = ""
        text.reserveCapacity(24)
        text += digits(Int(parts.tm_year) + 1900, width: 4)
        text += "-" + digits(Int(parts.tm_mon) + 1, width: 2)
        text += "-" + digits(Int(parts.tm_mday), width: 2)
        text += "T" + digits(Int(parts.tm_hour), width: 2)
        text += ":" + digits(Int(parts.tm_min), width: 2)
        text += ":" + digits(Int(parts.tm_sec), width: 2)
        text += "." + digits(nanoseconds / 1_000_000, width: 3)
        text += "Z"
        return text
    }

    private static func digits(_ value: Int, width: Int) -> String {
        let text = String(value)
        guard text.count < width else { return text }
        return String(repeating: "0", count: width - text.count) + text
    }
}
