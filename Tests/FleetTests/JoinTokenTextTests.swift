import Testing

@testable import Fleet

@Suite struct JoinTokenTextTests {
    static let secret = String(repeating: "0f", count: 32)
    static let cases: [(String, Bool)] = [
        ("0123456789ab." + secret, true), ("  0123456789ab." + secret + "\n", true),
        ("0123456789AB." + secret, false), ("0123456789ab" + secret, false), ("0123456789ab." + secret.uppercased(), false),
        ("0123456789ab." + secret.dropLast(), false), ("0123456789ab." + secret + "0f", false),
        ("0123456789ab.." + secret, false), ("0123456789a." + secret, false), ("", false),
    ]

    @Test(arguments: cases)
    func parsesOnlyAnIdAndSixtyFourHexDigits(text: String, valid: Bool) {
        let parsed = JoinTokenText(parsing: text)
        #expect((parsed != nil) == valid, "\(text)")
        if let parsed {
            #expect(parsed.id == "0123456789ab" && parsed.secret == [UInt8](repeating: 0x0F, count: 32))
            #expect(parsed.text == "0123456789ab." + Self.secret)
        }
    }

    @Test func textRoundTripsEveryByte() {
        let token = JoinTokenText(id: "abcdef012345", secret: (0..<32).map { UInt8($0 * 8) })
        #expect(JoinTokenText(parsing: token.text) == token)
    }
}
