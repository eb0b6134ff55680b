@testable import Modules
import Testing

/// The strict JSON reader: what it accepts, and each refusal with its offset.
struct StrictJSONTests {
    @Test func valuesOfEveryKindAreRead() throws {
        let value = try StrictJSON.parse(Array(#" {"a": [1, -2, true, false, null, "\u00e9\ud83d\ude00\/\b\f\n\r\t"], "b": {}} "#.utf8))
        #expect(value == .object([("a", .array([.integer(1), .integer(-2), .bool(true), .bool(false), .null,
                                                 .string("é😀/\u{08}\u{0C}\n\r\t")])), ("b", .object([]))]))
        #expect(try StrictJSON.parse(Array("-9223372036854775808".utf8)) == .integer(.min))
        #expect(try StrictJSON.parse(Array("[]".utf8)) == .array([]))
        #expect(try StrictJSON.parse(Array("0".utf8)) == .integer(0))
    }

    @Test(arguments: [
        ("", "the document ends where a value should be at byte 0"),
        ("{\"a\":1,\"a\":2}", "key \"a\" is repeated at byte 7"),
        ("01", "a number with a leading zero at byte 0"),
        ("-0", "-0 is not a whole number here at byte 0"),
        ("1e5", "a number with a fraction or exponent"),
        ("9223372036854775808", "a number out of range"),
        ("-9223372036854775809", "a number out of range"),
        ("99999999999999999999", "a number out of range"),
        ("\"a\u{01}\"", "a raw control character in a string at byte 2"),
        ("\"\\x\"", "an invalid escape"),
        ("\"\\ud800\"", "a lone high surrogate"),
        ("\"\\udc00\"", "a lone low surrogate"),
        ("\"\\u12\"", "an invalid escape"),
        ("\"abc", "a string is not closed"),
        ("tru", "not a JSON value"),
        ("-", "not a JSON value"),
        ("{1:2}", "expected a string key"),
        ("{\"a\" 1}", "expected ':' after a key"),
        ("{\"a\":1", "expected ',' or '}' in an object"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("[[[[[[[[[1]]]]]]]]]", "nesting deeper than 8"),
        ("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}", "nesting deeper than 8"),
    ])
    func refusalsNameWhatAndWhere(text: String, expected: String) {
        #expect(throws: StrictJSON.Refusal.self) { try StrictJSON.parse(Array(text.utf8)) }
        do {
            _ = try StrictJSON.parse(Array(text.utf8))
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: StrictJSON.Refusal(offset: 3, reason: "a string is not valid UTF-8")) {
            try StrictJSON.parse([0x22, 0xC3, 0x28, 0x22])
        }
    }

    @Test func theValueCountIsBounded() {
        let many = "[" + Array(repeating: "1", count: StrictJSON.valueMaximum).joined(separator: ",") + "]"
        #expect(throws: StrictJSON.Refusal.self) { try StrictJSON.parse(Array(many.utf8)) }
    }
}
