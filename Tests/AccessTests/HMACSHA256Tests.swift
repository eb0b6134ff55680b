@testable import Access
import Fleet
import Testing

/// The MAC behind HS256 against published answers: RFC 4231's HMAC-SHA256 test cases, and the
/// HS256 example of RFC 7515 appendix A.1 through the verifier's signature check. One
/// `HMACSHA256` serves many threads at once.
struct HMACSHA256Tests {
    static let hmac = TokenFixtures.hmac

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        let label: String
        let key: [UInt8]
        let message: String
        let mac: String
        var testDescription: String { label }
    }

    static let rfc4231: [Vector] = [
        Vector(label: "test case 1", key: [UInt8](repeating: 0x0B, count: 20), message: "Hi There",
               mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(label: "test case 2", key: Array("Jefe".utf8), message: "what do ya want for nothing?",
               mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        // A key longer than SHA-256's block is hashed first: the re-keying of the template's copy.
        Vector(label: "test case 6", key: [UInt8](repeating: 0xAA, count: 131),
               message: "Test Using Larger Than Block-Size Key - Hash Key First",
               mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ]

    @Test(arguments: rfc4231)
    func matchesRFC4231(_ vector: Vector) throws {
        #expect(try Self.hmac.authenticate(Array(vector.message.utf8), key: vector.key) == Self.bytes(hex: vector.mac))
    }

    /// RFC 7515 A.1: its header has no `kid` and its claims are not ours, so only the signature
    /// check is run, with the example's 64-byte key.
    @Test func verifiesTheRFC7515HS256Example() throws {
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let secret = try #require(Base64URL.decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow".utf8))
        let key = SigningKeyRecord(id: [UInt8](repeating: 0, count: 8), secret: secret, createdAtMilliseconds: 0)
        let parts = try TokenVerifier.split(token)
        try TokenVerifier.checkSignature(parts, key: key, hmac: Self.hmac)
        var tampered = secret
        tampered[0] ^= 1
        let wrongKey = SigningKeyRecord(id: key.id, secret: tampered, createdAtMilliseconds: 0)
        #expect(throws: TokenRejection.badSignature(reason: "it does not match")) {
            try TokenVerifier.checkSignature(parts, key: wrongKey, hmac: Self.hmac)
        }
    }

    @Test func oneInstanceServesManyTasksAtOnce() async throws {
        let vectors = Self.rfc4231
        let wrong = await withTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<200 {
                        let vector = vectors[(task + round) % vectors.count]
                        do {
                            let mac = try Self.hmac.authenticate(Array(vector.message.utf8), key: vector.key)
                            if mac != Self.bytes(hex: vector.mac) { mismatches += 1 }
                        } catch {
                            mismatches += 1
                        }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }
}
