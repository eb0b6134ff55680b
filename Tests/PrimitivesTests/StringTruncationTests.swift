import Primitives
import Testing

/// Cutting a string to a number of UTF-8 bytes never splits a Unicode scalar.
@Suite struct StringTruncationTests {
    @Test(arguments: [
        ("abc", 3, "abc"),
        ("abcd", 3, "abc"),
        ("aé", 2, "a"),
        ("aéb", 3, "aé"),
        ("€€", 5, "€"),
        ("€", 0, ""),
    ])
    func cutsAtAScalarBoundary(text: String, maximum: Int, expected: String) {
        #expect(text.truncated(toUTF8Bytes: maximum) == expected)
    }
}
