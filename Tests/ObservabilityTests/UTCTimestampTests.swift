import Foundation
import Testing

@testable import Observability

@Suite struct UTCTimestampTests {
    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (0, 999_999_999, "1970-01-01T00:00:00.999Z"),
        (951_782_400, 5_000_000, "2000-02-29T00:00:00.005Z"),
        (1_795_341_600, 123_456_789, "2026-11-22T10:00:00.123Z"),
        (4_102_444_799, 42_000_000, "2099-12-31T23:59:59.042Z"),
    ])
    func formatsUTCWithMillisecondsTruncated(seconds: Int, nanoseconds: Int, expected: String) {
        #expect(UTCTimestamp.format(seconds: seconds, nanoseconds: nanoseconds) == expected)
    }

    @Test func millisecondsAreFormattedUpToTheLastOneOfTheYear9999() {
        #expect(UTCTimestamp.format(milliseconds: 1_795_341_600_123) == "2026-11-22T10:00:00.123Z")
        #expect(UTCTimestamp.format(milliseconds: UInt64.max) == "9999-12-31T23:59:59.999Z")
    }

    @Test func nowAgreesWithTheSystemClock() throws {
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let before = Date()
        let text = UTCTimestamp.now()
        let parsed = try #require(parser.date(from: text))
        #expect(abs(parsed.timeIntervalSince(before)) < 5)
        #expect(text.count == 24)
    }
}
