import Observability
import Testing

/// RFC 3339 date-times as the API reads them: UTC or with an offset, fractions cut to milliseconds,
/// and every other shape (or a time before 1970) refused.
struct UTCTimestampParsingTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", UInt64(0)),
        ("2026-11-23T10:00:00.123Z", 1_795_428_000_123),
        ("2026-11-23t10:00:00.1234567z", 1_795_428_000_123),
        ("2026-11-23T12:30:00+02:30", 1_795_428_000_000),
        ("2026-11-23T12:30:00 02:30", 1_795_428_000_000),
        ("2026-11-23T07:00:00-03:00", 1_795_428_000_000),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ])
    func readsAnRFC3339Time(text: String, milliseconds: UInt64) {
        #expect(UTCTimestamp.milliseconds(parsing: text) == milliseconds)
    }

    @Test func readsWhatItFormats() {
        for milliseconds: UInt64 in [0, 1, 86_399_999, 951_782_400_000, 1_795_428_000_123] {
            #expect(UTCTimestamp.milliseconds(parsing: UTCTimestamp.format(milliseconds: milliseconds)) == milliseconds)
        }
    }

    @Test(arguments: ["", "2026-11-23", "2026-11-23T10:00:00", "2026-11-23 10:00:00Z", "2026-13-01T00:00:00Z",
                      "2023-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T10:60:00Z",
                      "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+2:00", "2026-11-23T10:00:00+02:60", "1969-12-31T23:59:59Z",
                      "1970-01-01T00:00:00+00:01", "2026-11-23T10:00:00Zjunk", "２０２６-11-23T10:00:00Z"])
    func refusesAnythingElse(text: String) {
        #expect(UTCTimestamp.milliseconds(parsing: text) == nil)
    }
}
