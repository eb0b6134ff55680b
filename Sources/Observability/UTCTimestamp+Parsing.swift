/// Reads the times the API accepts (`?since=` of `GET /api/v1/audit`): RFC 3339 date-times such
/// as `2026-11-23T10:00:00Z`, `2026-11-23T10:00:00.5Z` or `2026-11-23T12:00:00+02:00`.
extension UTCTimestamp {
    /// Milliseconds since the Unix epoch of `text` (fractions beyond milliseconds are cut), or
    /// nil when it is not an RFC 3339 date-time from 1970 to 9999. An offset's `+` may arrive as a
    /// space (a query string's form decoding makes one of an unescaped `+`).
    public static func milliseconds(parsing text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == 0x2D, let month = number(5, 2), bytes[7] == 0x2D, let day = number(8, 2),
              [0x54, 0x74].contains(bytes[10]), let hour = number(11, 2), bytes[13] == 0x3A, let minute = number(14, 2),
              bytes[16] == 0x3A, let second = number(17, 2),
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
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let total = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000 + second * 1_000 + milliseconds
        return total < 0 ? nil : UInt64(total)
    }

    /// `Z`, or `+HH:MM` / `-HH:MM` in minutes east of UTC.
    private static func offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        let rest = Array(bytes)
        if rest == [0x5A] || rest == [0x7A] { return 0 }
        guard rest.count == 6, [0x2B, 0x2D, 0x20].contains(rest[0]), rest[3] == 0x3A,
              let hours = twoDigits(rest[1], rest[2]), let minutes = twoDigits(rest[4], rest[5]), hours < 24, minutes < 60 else {
            return nil
        }
        return (rest[0] == 0x2D ? -1 : 1) * (hours * 60 + minutes)
    }

    private static func twoDigits(_ tens: UInt8, _ ones: UInt8) -> Int? {
        guard (0x30...0x39).contains(tens), (0x30...0x39).contains(ones) else { return nil }
        return Int(tens - 0x30) * 10 + Int(ones - 0x30)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date (proleptic Gregorian; H. Hinnant's days_from_civil).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
