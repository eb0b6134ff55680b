import Glibc

/// Reads the times the API accepts (`?since=` of `GET /api/v1/audit`): RFC 3339 date-times such
/// as `2026-11-23T10:00:00Z`, `2026-11-23T10:00:00.5Z` or `2026-11-23T12:00:00+02:00`.
extension UTCTimestamp {
    /// Milliseconds since the Unix epoch of `text` (fractions beyond milliseconds are cut), or
    /// nil when it is not an RFC 3339 date-time from 1970 to 9999. An offset's `+` may arrive as a
    /// space (a query string's form decoding makes one of an unescaped `+`).
    public static func milliseconds(parsing text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        guard let year = number(bytes[0..<4]), bytes[4] == 0x2D, let month = number(bytes[5..<7]), bytes[7] == 0x2D,
              let day = number(bytes[8..<10]), [0x54, 0x74].contains(bytes[10]), let hour = number(bytes[11..<13]),
              bytes[13] == 0x3A, let minute = number(bytes[14..<16]), bytes[16] == 0x3A, let second = number(bytes[17..<19]),
              (1970...9999).contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second <= 60 else { return nil }
        var position = 19
        var milliseconds = 0
        if bytes[position] == 0x2E {
            position += 1
            let start = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            guard position > start else { return nil }
            for (place, byte) in bytes[start..<min(position, start + 3)].enumerated() {
                milliseconds += Int(byte - 0x30) * [100, 10, 1][place]
            }
        }
        guard let offsetMinutes = offset(bytes[position...]) else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month - 1)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(hour)
        fields.tm_min = Int32(minute)
        fields.tm_sec = Int32(second)
        let total = (Int(timegm(&fields)) - offsetMinutes * 60) * 1_000 + milliseconds
        return total < 0 ? nil : UInt64(total)
    }

    /// `Z`, or `+HH:MM` / `-HH:MM` in minutes east of UTC.
    private static func offset(_ rest: ArraySlice<UInt8>) -> Int? {
        if rest == [0x5A] || rest == [0x7A] { return 0 }
        guard rest.count == 6, let sign = rest.first, [0x2B, 0x2D, 0x20].contains(sign), rest[rest.startIndex + 3] == 0x3A,
              let hours = number(rest.dropFirst().prefix(2)), let minutes = number(rest.suffix(2)), hours < 24, minutes < 60 else {
            return nil
        }
        return (sign == 0x2D ? -1 : 1) * (hours * 60 + minutes)
    }

    /// The decimal number `digits` spell, or nil when one of them is not a digit.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
