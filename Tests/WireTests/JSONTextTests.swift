import Testing
@testable import Wire

@Suite struct JSONTextTests {
    @Test func quotesAndBackslashesAreEscaped() {
        #expect(JSONText.quoted(#"say "hi" \o/"#) == #""say \"hi\" \\o/""#)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONText.quoted("a\nb\rc\td\u{08}e\u{0C}f") == #""a\nb\rc\td\be\ff""#)
        #expect(JSONText.quoted("\u{00}\u{1F}") == #""\u0000\u001f""#)
    }

    @Test func otherCharactersPassThrough() {
        #expect(JSONText.quoted("café ☕ / \u{7F}") == "\"café ☕ / \u{7F}\"")
    }

    @Test func errorBodyHasTheProjectShape() {
        let body = String(decoding: JSONText.errorBody(code: "body_too_large", message: "limit \"1 MiB\""), as: UTF8.self)
        #expect(body == #"{"error":{"code":"body_too_large","message":"limit \"1 MiB\""}}"#)
    }
}
