@testable import Access
import Testing

/// The strict JSON reader behind token parsing, and the base64url codec.
struct TokenJSONTests {
    @Test func readsStringsIntegersAndSkipsTheRest() {
        let json = #"{"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00","i":-9223372036854775808,"j":9223372036854775807,"#
            + #""f":1.0,"big":9223372036854775808,"o":{"x":[]},"t":true,"n":null,"z":0,"mz":-0}"#
        let fields = TokenJSON.object(Array(json.utf8))
        #expect(fields == [
            "s": .string("a\"b\\c/d\né😀"), "i": .integer(.min), "j": .integer(.max),
            "f": .other, "big": .other, "o": .other, "t": .other, "n": .other, "z": .integer(0), "mz": .other,
        ])
    }

    @Test(arguments: [
        "", "[]", "\"x\"", "{", "{}x", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}",
        "{\"a\":1e}", "{\"a\":tru}", "{\"a\":\"\u{01}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
        "{\"a\":1,\"a\":2}", "{\"a\":[1,]}", "{\"a\":\"unterminated}",
    ])
    func refusesWhatIsNotOneStrictObject(_ json: String) {
        #expect(TokenJSON.object(Array(json.utf8)) == nil)
    }

    @Test func refusesInvalidUTF8InAString() {
        #expect(TokenJSON.object(Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)) == nil)
    }

    @Test func nestingUpToTheBoundIsRead() {
        func nested(_ levels: Int) -> [UInt8] {
            Array((String(repeating: "{\"a\":", count: levels) + "1" + String(repeating: "}", count: levels)).utf8)
        }
        #expect(TokenJSON.object(nested(TokenJSON.depthMaximum)) != nil)
        #expect(TokenJSON.object(nested(TokenJSON.depthMaximum + 1)) == nil)
    }

    @Test func base64URLRoundTripsEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && text.utf8.count == (length * 4 + 2) / 3)
            #expect(Base64URL.decode(text.utf8) == bytes)
        }
    }

    @Test func base64URLMatchesRFC4648() {
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test(arguments: ["Zm9vYmE=", "Zm9vY", "Zm9v YmE", "Zm9+", "Zm9/", "Zm9vYmF", "-_9"])
    func base64URLRefusesNonCanonicalText(_ text: String) {
        #expect(Base64URL.decode(text.utf8) == nil)
    }
}
