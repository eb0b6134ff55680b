@testable import Access
import Fleet
import Primitives
import Testing

/// Tokens the signer writes verify; each way a token can be wrong is refused with its own code,
/// in the documented order; the caller acts with the role the user has now.
struct TokenVerifierTests {
    typealias F = TokenFixtures

    @Test func aSignedTokenVerifiesWithTheRecordsRole() throws {
        let token = try TokenSigner.sign(F.claims(role: .admin), with: F.key, hmac: F.hmac)
        let demoted = ["alice": F.user("alice", role: .viewer)]
        let caller = try F.verify(token, users: demoted).get()
        #expect(caller == VerifiedCaller(name: "alice", role: .viewer, expiresAtSeconds: F.nowSeconds - 10 + 3_600))
    }

    @Test func theHeaderNamesTheKeyAndAlgorithm() throws {
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        let header = try #require(Base64URL.decode(token.utf8.split(separator: UInt8(ascii: "."))[0]))
        let fields = try #require(TokenJSON.object(header))
        #expect(fields == ["alg": .string("HS256"), "typ": .string("JWT"), "kid": .string("0102030405060708")])
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
    }

    @Test func issuedClaimsCarryTheRecordsGenerationWholeSecondsAndARandomId() throws {
        let user = F.user("alice", role: .viewer, credentialIndex: 42)
        let first = try TokenClaims.issued(for: user, nowMilliseconds: 1_000_999, lifetimeSeconds: 300)
        let second = try TokenClaims.issued(for: user, nowMilliseconds: 1_000_000, lifetimeSeconds: 300)
        #expect(first.subject == "alice" && first.role == .viewer && first.credentialIndex == 42)
        #expect(first.issuedAtSeconds == 1_000 && first.notBeforeSeconds == 1_000 && first.expiresAtSeconds == 1_300)
        #expect(second.issuedAtSeconds == 1_000)
        #expect(first.id.count == 32 && first.id != second.id)
        #expect(first.json.contains("\"gen\":42,"))
    }

    @Test func algNoneWithAnEmptySignatureIsUnsupported() throws {
        let header = Base64URL.encode(Array("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"0102030405060708\"}".utf8))
        let claims = Base64URL.encode(Array(F.claims().json.utf8))
        #expect(F.code(F.verify(header + "." + claims + ".")) == "unsupported_algorithm")
    }

    @Test(arguments: ["HS512", "RS256", "hs256", "HS256 ", "ES256", ""])
    func anotherAlgorithmIsUnsupported(_ algorithm: String) throws {
        let token = try F.craft(header: "{\"alg\":\"\(algorithm)\",\"kid\":\"0102030405060708\"}", claims: F.claims().json)
        #expect(F.code(F.verify(token)) == "unsupported_algorithm")
    }

    @Test(arguments: [
        "{\"kid\":\"0102030405060708\"}", "{\"alg\":256,\"kid\":\"0102030405060708\"}", "{\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"kid\":7}", "[\"HS256\"]", "{\"alg\":\"HS256\",\"alg\":\"HS256\",\"kid\":\"0102030405060708\"}",
        "{\"alg\":\"HS256\",\"kid\":\"0102030405060708\",\"crit\":[\"b64\"]}", "",
    ])
    func aHeaderWithoutStringAlgAndKidIsMalformed(_ header: String) throws {
        #expect(F.code(F.verify(try F.craft(header: header, claims: F.claims().json))) == "malformed_token")
    }

    @Test func anUnknownKidIsRefused() throws {
        let token = try TokenSigner.sign(F.claims(), with: F.otherKey, hmac: F.hmac)
        #expect(F.code(F.verify(token)) == "unknown_key")
    }

    @Test func aRetiredKeyVerifiesUntilItsRetirementOnly() throws {
        var retiring = F.key
        retiring.retiresAtMilliseconds = F.nowMilliseconds + 1
        let token = try TokenSigner.sign(F.claims(), with: retiring, hmac: F.hmac)
        #expect(F.code(F.verify(token, keys: [F.otherKey, retiring])) == "ok")
        #expect(F.code(F.verify(token, keys: [F.otherKey, retiring], nowMilliseconds: F.nowMilliseconds + 1)) == "unknown_key")
    }

    @Test func aTamperedPayloadFailsTheSignature() throws {
        let token = try TokenSigner.sign(F.claims(role: .viewer), with: F.key, hmac: F.hmac)
        let parts = token.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Array(F.claims(subject: "root").json.utf8))
        #expect(F.code(F.verify(parts[0] + "." + forged + "." + parts[2])) == "bad_signature")
        let signedByOtherSecret = SigningKeyRecord(id: F.key.id, secret: F.otherKey.secret, createdAtMilliseconds: 0)
        #expect(F.code(F.verify(try TokenSigner.sign(F.claims(), with: signedByOtherSecret, hmac: F.hmac))) == "bad_signature")
    }

    @Test func aTamperedSignatureIsRefused() throws {
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        let parts = token.split(separator: ".").map(String.init)
        var signature = try #require(Base64URL.decode(parts[2].utf8))
        signature[31] ^= 0x01
        #expect(F.code(F.verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature))) == "bad_signature")
        #expect(F.code(F.verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature.prefix(16)))) == "bad_signature")
        #expect(F.code(F.verify(parts[0] + "." + parts[1] + ".")) == "bad_signature")
    }

    @Test func theIssuerAndAudienceMustBeOurs() throws {
        let good = F.claims().json
        let wrongAudience = good.replacingOccurrences("\"aud\":\"hotswap-api\"", "\"aud\":\"other-api\"")
        let wrongIssuer = good.replacingOccurrences("\"iss\":\"hotswap\"", "\"iss\":\"someone\"")
        let arrayAudience = good.replacingOccurrences("\"aud\":\"hotswap-api\"", "\"aud\":[\"hotswap-api\"]")
        #expect(F.code(F.verify(try F.craft(claims: wrongAudience))) == "wrong_audience")
        #expect(F.code(F.verify(try F.craft(claims: wrongIssuer))) == "wrong_audience")
        #expect(F.code(F.verify(try F.craft(claims: arrayAudience))) == "malformed_token")
    }

    @Test func anExpiredTokenIsRefusedFromItsExpirySecond() throws {
        let token = try TokenSigner.sign(F.claims(expiresAtSeconds: F.nowSeconds + 1), with: F.key, hmac: F.hmac)
        #expect(F.code(F.verify(token, nowMilliseconds: (F.nowSeconds + 1) * 1_000 - 1)) == "ok")
        #expect(F.code(F.verify(token, nowMilliseconds: (F.nowSeconds + 1) * 1_000)) == "token_expired")
    }

    @Test func notBeforeAllowsThirtySecondsOfClockDifference() throws {
        let within = try TokenSigner.sign(F.claims(issuedAtSeconds: F.nowSeconds + 30), with: F.key, hmac: F.hmac)
        let beyond = try TokenSigner.sign(F.claims(issuedAtSeconds: F.nowSeconds + 31), with: F.key, hmac: F.hmac)
        let exactlyThirty = F.nowSeconds * 1_000
        #expect(F.code(F.verify(within, nowMilliseconds: exactlyThirty)) == "ok")
        #expect(F.code(F.verify(beyond, nowMilliseconds: exactlyThirty)) == "token_not_yet_valid")
        #expect(F.code(F.verify(beyond, nowMilliseconds: exactlyThirty + 1_000)) == "ok")
    }

    @Test func aDeletedUsersTokenIsRefused() throws {
        let token = try TokenSigner.sign(F.claims(subject: "bob"), with: F.key, hmac: F.hmac)
        #expect(F.code(F.verify(token)) == "unknown_user")
    }

    @Test func aTokenOfAnotherCredentialGenerationIsRevoked() throws {
        let token = try TokenSigner.sign(F.claims(credentialIndex: F.generation), with: F.key, hmac: F.hmac)
        #expect(F.code(F.verify(token, users: ["alice": F.user("alice", role: .deployer)])) == "ok")
        for generation in [0, F.generation - 1, F.generation + 1, TokenClaims.secondsMaximum] {
            let changed = ["alice": F.user("alice", role: .deployer, credentialIndex: generation)]
            #expect(F.code(F.verify(token, users: changed)) == "token_revoked", "generation \(generation)")
        }
    }

    /// The issuing coordinator's clock and the times in the record decide nothing: a token of the
    /// current generation verifies however early it says it was issued, and one of an earlier
    /// generation is refused however late.
    @Test func clocksPlayNoPartInRevocation() throws {
        let early = F.claims(credentialIndex: F.generation, issuedAtSeconds: 0, expiresAtSeconds: F.nowSeconds + 60)
        #expect(F.code(F.verify(try TokenSigner.sign(early, with: F.key, hmac: F.hmac))) == "ok")
        let lateButOld = F.claims(credentialIndex: F.generation - 1, issuedAtSeconds: F.nowSeconds + 30)
        #expect(F.code(F.verify(try TokenSigner.sign(lateButOld, with: F.key, hmac: F.hmac))) == "token_revoked")
    }

    @Test(arguments: ["\"gen\":-1", "\"gen\":7.0", "\"gen\":\"7\"", "\"gen\":9007199254740992", "\"gen\":null"])
    func aGenerationOfTheWrongShapeIsMalformed(_ replacement: String) throws {
        let claims = F.claims().json.replacingOccurrences("\"gen\":7", replacement)
        #expect(F.code(F.verify(try F.craft(claims: claims))) == "malformed_token")
        let missing = F.claims().json.replacingOccurrences("\"gen\":7,", "")
        #expect(F.code(F.verify(try F.craft(claims: missing))) == "malformed_token")
    }

    /// A token failing several checks is refused for the first in the documented order.
    @Test func theFirstFailingCheckIsTheOneReported() throws {
        let late = F.nowMilliseconds + 7_200_000
        let noUserExpired = try TokenSigner.sign(F.claims(subject: "bob"), with: F.key, hmac: F.hmac)
        #expect(F.code(F.verify(noUserExpired, nowMilliseconds: late)) == "token_expired")
        let foreignExpired = F.claims().json.replacingOccurrences("\"aud\":\"hotswap-api\"", "\"aud\":\"x\"")
        #expect(F.code(F.verify(try F.craft(claims: foreignExpired), nowMilliseconds: late)) == "wrong_audience")
        let malformedClaimsForgedSignature = try F.craft(claims: "{}", key: F.otherKey)
        #expect(F.code(F.verify(malformedClaimsForgedSignature)) == "bad_signature")
        #expect(F.code(F.verify(try F.craft(claims: "{}"))) == "malformed_token")
        let unknownKidForged = try F.craft(header: "{\"alg\":\"HS256\",\"kid\":\"ffffffffffffffff\"}", claims: "{}", key: F.otherKey)
        #expect(F.code(F.verify(unknownKidForged)) == "unknown_key")
        let noneWithUnknownKid = try F.craft(header: "{\"alg\":\"none\",\"kid\":\"ffffffffffffffff\"}", claims: "{}")
        #expect(F.code(F.verify(noneWithUnknownKid)) == "unsupported_algorithm")
        let farFutureRevoked = try TokenSigner.sign(F.claims(issuedAtSeconds: F.nowSeconds + 60), with: F.key, hmac: F.hmac)
        let changedLater = ["alice": F.user("alice", role: .viewer, credentialIndex: F.generation + 1)]
        #expect(F.code(F.verify(farFutureRevoked, users: changedLater)) == "token_not_yet_valid")
        #expect(F.code(F.verify(try TokenSigner.sign(F.claims(subject: "bob", credentialIndex: 99), with: F.key, hmac: F.hmac)))
            == "unknown_user")
    }
}

extension String {
    /// Replaces `target`, which the test expects to be present.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        precondition(contains(target), "\(target) is not in \(self)")
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
