@testable import Access
import Fleet
import Primitives
import Testing

/// A key ring, users and hand-made tokens for the token tests.
enum TokenFixtures {
    static let nowMilliseconds: UInt64 = 1_750_000_000_500
    static let nowSeconds = nowMilliseconds / 1_000
    static let key = SigningKeyRecord(id: [1, 2, 3, 4, 5, 6, 7, 8], secret: [UInt8](repeating: 0x42, count: 32),
                                      createdAtMilliseconds: 1_700_000_000_000)
    static let otherKey = SigningKeyRecord(id: [9, 9, 9, 9, 9, 9, 9, 9], secret: [UInt8](repeating: 0x17, count: 32),
                                           createdAtMilliseconds: 1_700_000_000_000)

    /// The process's MAC, as the coordinator holds one.
    static let hmac = try! HMACSHA256()
    /// The credential generation of the fixtures' users and tokens.
    static let generation: UInt64 = 7

    static func user(_ name: String, role: UserRole, credentialIndex: UInt64 = generation) -> UserRecord {
        let digest = PasswordDigest(costLog2: 10, blockSize: 8, parallelism: 1, salt: [UInt8](repeating: 0, count: 16),
                                    hash: [UInt8](repeating: 0, count: 32))
        return UserRecord(name: name, role: role, digest: digest, credentialIndex: credentialIndex)
    }

    static let users = ["alice": user("alice", role: .deployer)]

    /// Claims issued ten seconds ago for an hour.
    static func claims(subject: String = "alice", role: UserRole = .deployer, credentialIndex: UInt64 = generation,
                       issuedAtSeconds: UInt64 = nowSeconds - 10, notBeforeSeconds: UInt64? = nil,
                       expiresAtSeconds: UInt64? = nil) -> TokenClaims {
        TokenClaims(subject: subject, role: role, credentialIndex: credentialIndex, issuedAtSeconds: issuedAtSeconds,
                    notBeforeSeconds: notBeforeSeconds ?? issuedAtSeconds,
                    expiresAtSeconds: expiresAtSeconds ?? issuedAtSeconds + 3_600, id: "00112233445566778899aabbccddeeff")
    }

    static let header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"0102030405060708\"}"

    /// A token with exactly this header and claims text, signed with `key`.
    static func craft(header: String = header, claims: String, key: SigningKeyRecord = key) throws -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        return input + "." + Base64URL.encode(try hmac.authenticate(Array(input.utf8), key: key.secret))
    }

    /// The verifier's answer, checked to be the one the cached path gives both when it meets the
    /// token first and when it meets it again (kept, if its signature and claims held).
    static func verify(_ token: String, keys: [SigningKeyRecord] = [key], nowMilliseconds: UInt64 = nowMilliseconds,
                       users: [String: UserRecord] = users) -> Result<VerifiedCaller, TokenRejection> {
        let plain = TokenVerifier.verify(token, keys: keys, hmac: hmac, nowMilliseconds: nowMilliseconds) { users[$0] }
        var cache = VerifiedTokenCache(capacity: 1)
        for _ in 0..<2 {
            let cached = TokenVerifier.verify(token, keys: keys, hmac: hmac, nowMilliseconds: nowMilliseconds, user: { users[$0] },
                                              remembered: { cache.lookup($0) }, remember: { cache.insert($0, $1) })
            #expect(cached == plain)
        }
        return plain
    }

    /// The rejection's code, or "ok".
    static func code(_ result: Result<VerifiedCaller, TokenRejection>) -> String {
        switch result {
        case .success: "ok"
        case let .failure(rejection): rejection.code
        }
    }
}
