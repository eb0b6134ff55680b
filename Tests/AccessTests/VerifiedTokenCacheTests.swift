@testable import Access
import Fleet
import Primitives
import Testing

/// A kept token skips only the MAC and the parse: a retired key, the time, a deleted, demoted or
/// re-keyed user decide as they would without the cache; another token is never served from it;
/// the cache holds at most its capacity and drops the least recently used.
struct VerifiedTokenCacheTests {
    typealias F = TokenFixtures

    /// A cache and the verifier's answers through it.
    struct Verifier {
        var cache = VerifiedTokenCache(capacity: 8)
        /// Tokens the last call checked in full (MAC and parse).
        var checkedInFull: [String] = []

        mutating func verify(_ token: String, keys: [SigningKeyRecord] = [F.key], nowMilliseconds: UInt64 = F.nowMilliseconds,
                             users: [String: UserRecord] = F.users) -> String {
            var cache = self.cache
            var stored: [String] = []
            let result = TokenVerifier.verify(token, keys: keys, hmac: F.hmac, nowMilliseconds: nowMilliseconds, user: { users[$0] },
                                              remembered: { cache.lookup($0) },
                                              remember: { stored.append($0); cache.insert($0, $1) })
            self.cache = cache
            checkedInFull = stored
            return F.code(result)
        }
    }

    @Test func aKeptTokenIsNotCheckedAgainInFull() throws {
        var verifier = Verifier()
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(token) == "ok" && verifier.checkedInFull == [token])
        #expect(verifier.verify(token) == "ok" && verifier.checkedInFull.isEmpty)
    }

    @Test func aHitAfterTheKeyRetiredOrLeftTheRingIsRefused() throws {
        var verifier = Verifier()
        var retiring = F.key
        retiring.retiresAtMilliseconds = F.nowMilliseconds + 1
        let token = try TokenSigner.sign(F.claims(), with: retiring, hmac: F.hmac)
        #expect(verifier.verify(token, keys: [F.otherKey, retiring]) == "ok")
        #expect(verifier.verify(token, keys: [F.otherKey, retiring], nowMilliseconds: F.nowMilliseconds + 1) == "unknown_key")
        #expect(verifier.verify(token, keys: [F.otherKey]) == "unknown_key")
    }

    @Test func aHitWhoseKeyIdNamesAnotherSecretIsCheckedInFull() throws {
        var verifier = Verifier()
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(token) == "ok")
        let sameIdOtherSecret = SigningKeyRecord(id: F.key.id, secret: F.otherKey.secret, createdAtMilliseconds: 0)
        #expect(verifier.verify(token, keys: [sameIdOtherSecret]) == "bad_signature")
        #expect(verifier.checkedInFull.isEmpty && verifier.cache.count == 1)
    }

    @Test func aHitAfterExpiryOrBeforeNotBeforeIsRefused() throws {
        var verifier = Verifier()
        let token = try TokenSigner.sign(F.claims(expiresAtSeconds: F.nowSeconds + 1), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(token) == "ok")
        #expect(verifier.verify(token, nowMilliseconds: (F.nowSeconds + 1) * 1_000) == "token_expired")
        let early = try TokenSigner.sign(F.claims(notBeforeSeconds: F.nowSeconds + 60), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(early) == "token_not_yet_valid" && verifier.checkedInFull == [early])
        #expect(verifier.verify(early, nowMilliseconds: F.nowMilliseconds + 30_000) == "ok" && verifier.checkedInFull.isEmpty)
    }

    @Test func aHitAfterTheUserChangedAnswersForTheUserNow() throws {
        var verifier = Verifier()
        let token = try TokenSigner.sign(F.claims(role: .admin), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(token) == "ok")
        #expect(verifier.verify(token, users: ["alice": F.user("alice", role: .deployer, credentialIndex: F.generation + 1)])
            == "token_revoked")
        #expect(verifier.verify(token, users: [:]) == "unknown_user")
        var cache = verifier.cache
        let demoted = TokenVerifier.verify(token, keys: [F.key], hmac: F.hmac, nowMilliseconds: F.nowMilliseconds,
                                           user: { _ in F.user("alice", role: .viewer) }, remembered: { cache.lookup($0) },
                                           remember: { cache.insert($0, $1) })
        #expect(try demoted.get().role == .viewer)
    }

    @Test func aTokenDifferingInOneByteIsAMiss() throws {
        var verifier = Verifier()
        let token = try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac)
        #expect(verifier.verify(token) == "ok")
        var bytes = Array(token.utf8)
        bytes[bytes.count - 1] = bytes[bytes.count - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let altered = String(decoding: bytes, as: UTF8.self)
        #expect(verifier.cache.lookup(altered) == nil)
        #expect(verifier.verify(altered) == "bad_signature" && verifier.cache.count == 1)
        #expect(verifier.verify(token + " ") == "malformed_token" && verifier.cache.count == 1)
    }

    @Test func theCacheHoldsItsCapacityAndDropsTheLeastRecentlyUsed() throws {
        var cache = VerifiedTokenCache(capacity: 3)
        let kept = try TokenVerifier.signed(try TokenSigner.sign(F.claims(), with: F.key, hmac: F.hmac), keys: [F.key], hmac: F.hmac,
                                            nowMilliseconds: F.nowMilliseconds).get()
        for name in ["a", "b", "c"] { cache.insert(name, kept) }
        #expect(cache.lookup("a") != nil)
        cache.insert("d", kept)
        #expect(cache.count == 3 && cache.lookup("b") == nil)
        cache.insert("c", kept)
        cache.insert("e", kept)
        #expect(cache.count == 3 && cache.lookup("a") == nil)
        #expect(cache.lookup("c") != nil && cache.lookup("d") != nil && cache.lookup("e") != nil)
        for index in 0..<100 { cache.insert("t\(index)", kept) }
        #expect(cache.count == 3 && ["t97", "t98", "t99"].allSatisfy { cache.lookup($0) != nil })
    }
}
