@testable import Access
import Testing

/// Tokens that are not well-formed compact JWS, or whose claims are not the JSON we issue, are
/// refused as `malformed_token` before anything else is looked at.
struct TokenMalformedTests {
    typealias F = TokenFixtures

    @Test func theSizeLimitIsFourKibibytes() throws {
        #expect(F.code(F.verify(try sized(TokenVerifier.tokenBytesMaximum))) == "ok")
        #expect(F.code(F.verify(try sized(TokenVerifier.tokenBytesMaximum + 1))) == "malformed_token")
    }

    /// A validly signed token of exactly `bytes` bytes, grown with an unknown claim and spaces
    /// in the header (base64url cannot spell every length from one part alone).
    private func sized(_ bytes: Int) throws -> String {
        func padded(_ fill: Int) -> String { F.claims().json.dropLast() + ",\"pad\":\"\(String(repeating: "x", count: fill))\"}" }
        let estimate = (bytes - (try F.craft(claims: padded(0))).utf8.count) * 3 / 4
        for fill in max(0, estimate - 8)...(estimate + 8) {
            for spaces in 0..<4 {
                let header = "{" + String(repeating: " ", count: spaces) + F.header.dropFirst()
                let token = try F.craft(header: header, claims: padded(fill))
                if token.utf8.count == bytes { return token }
            }
        }
        Issue.record("could not make a token of \(bytes) bytes")
        return ""
    }

    @Test func exactlyThreePartsAreNeeded() throws {
        let parts = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac).split(separator: ".").map(String.init)
        for token in [parts[0] + "." + parts[1], parts.joined(separator: ".") + "." + parts[2], "", "..", parts[0]] {
            #expect(F.code(F.verify(token)) == "malformed_token", "\(token)")
        }
    }

    @Test func onlyStrictUnpaddedBase64URLIsRead() throws {
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        let parts = token.split(separator: ".").map(String.init)
        let variants = [
            parts[0] + "=." + parts[1] + "." + parts[2],
            parts[0] + "." + parts[1] + "." + parts[2] + "=",
            parts[0] + ". " + parts[1] + "." + parts[2],
            parts[0] + "." + parts[1] + "." + parts[2] + "\n",
            parts[0] + ".+" + parts[1].dropFirst() + "." + parts[2],
            parts[0] + "." + parts[1] + "." + parts[2].dropLast() + "*",
            parts[0] + "." + parts[1] + "." + parts[2] + "AA",
        ]
        for variant in variants where variant != token {
            #expect(F.code(F.verify(variant)) == "malformed_token", "\(variant)")
        }
    }

    @Test(arguments: [
        ("exp as a fraction", "\"exp\":1750003590.5"),
        ("exp as an exponent", "\"exp\":1.75e9"),
        ("exp negative", "\"exp\":-1"),
        ("exp as negative zero", "\"exp\":-0"),
        ("exp as a string", "\"exp\":\"1750003590\""),
        ("exp beyond 2^53 - 1", "\"exp\":9007199254740992"),
        ("exp beyond Int64", "\"exp\":99999999999999999999"),
        ("exp with a leading zero", "\"exp\":01750003590"),
        ("sub missing", "\"sub\":null"),
        ("exp given twice", "\"exp\":1750003590,\"exp\":1750003590"),
    ])
    func claimsOfTheWrongShapeAreMalformed(_ label: String, _ replacement: String) throws {
        let claims = F.claims(issuedAtSeconds: 1_749_999_990)
        let base = claims.json
        let field = replacement.hasPrefix("\"sub\"") ? "\"sub\":\"alice\"" : "\"exp\":1750003590"
        let token = try F.craft(claims: base.replacingOccurrences(field, replacement))
        #expect(F.code(F.verify(token)) == "malformed_token", "\(label)")
    }

    @Test func unknownClaimsAndWhiteSpaceAreAccepted() throws {
        let claims = "{ \"iss\" : \"hotswap\", \"aud\":\"hotswap-api\", \"sub\":\"al\\u0069ce\", \"gen\":7, \"iat\":1749999990,"
            + "\"nbf\":1749999990, \"exp\":1750003590, \"jti\":\"x\", \"extra\":{\"a\":[1,2.5,true,null,{}]}, \"role\":7 }\n"
        #expect(F.code(F.verify(try F.craft(claims: claims))) == "ok")
    }
}
