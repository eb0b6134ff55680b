@testable import Access
import Fleet
import Testing

/// scrypt from libcrypto matches RFC 7914, digests verify the right password only, and digests
/// whose parameters this build will not compute are reported, not read as a wrong password.
struct PasswordHasherTests {
    /// A cheap setting for tests that are not about cost.
    static let cheap = PasswordHasher.Parameters(costLog2: 10, blockSize: 8, parallelism: 1)
    static let salt = [UInt8](0..<16)

    /// RFC 7914 section 12, the second vector: P = "password", S = "NaCl", N = 1024, r = 8, p = 16.
    @Test func matchesTheRFC7914Vector() throws {
        let output = try PasswordHasher.scrypt(
            password: Array("password".utf8), salt: Array("NaCl".utf8),
            parameters: .init(costLog2: 10, blockSize: 8, parallelism: 16), outputBytes: 64)
        let expected: [UInt8] = [
            0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00, 0x78, 0x56, 0xe7, 0x19, 0x0d, 0x01, 0xe9, 0xfe,
            0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30, 0xe7, 0x73, 0x76, 0x63, 0x4b, 0x37, 0x31, 0x62,
            0x2e, 0xaf, 0x30, 0xd9, 0x2e, 0x22, 0xa3, 0x88, 0x6f, 0xf1, 0x09, 0x27, 0x9d, 0x98, 0x30, 0xda,
            0xc7, 0x27, 0xaf, 0xb9, 0x4a, 0x83, 0xee, 0x6d, 0x83, 0x60, 0xcb, 0xdf, 0xa2, 0xcc, 0x06, 0x40,
        ]
        #expect(output == expected)
    }

    @Test func theCurrentParametersAreTheDocumentedOnes() {
        #expect(PasswordHasher.current == .init(costLog2: 15, blockSize: 8, parallelism: 3))
    }

    @Test func aDigestAtTheCurrentParametersVerifiesItsPasswordOnly() throws {
        let salt = try SecureRandom.bytes(PasswordDigest.saltBytes)
        let digest = try PasswordHasher.digest(password: "correct horse battery", salt: salt)
        #expect(digest.costLog2 == 15 && digest.blockSize == 8 && digest.parallelism == 3)
        #expect(digest.salt == salt && digest.hash.count == PasswordDigest.hashBytes)
        #expect(try PasswordHasher.verify(password: "correct horse battery", against: digest))
        #expect(try !PasswordHasher.verify(password: "correct horse batterY", against: digest))
    }

    @Test func theSaltAndTheParametersChangeTheHash() throws {
        let first = try PasswordHasher.digest(password: "pw-one-two-three", salt: Self.salt, parameters: Self.cheap)
        let otherSalt = try PasswordHasher.digest(password: "pw-one-two-three", salt: [UInt8](1...16), parameters: Self.cheap)
        let otherCost = try PasswordHasher.digest(
            password: "pw-one-two-three", salt: Self.salt, parameters: .init(costLog2: 11, blockSize: 8, parallelism: 1))
        #expect(first.hash != otherSalt.hash)
        #expect(first.hash != otherCost.hash)
        #expect(try PasswordHasher.verify(password: "pw-one-two-three", against: otherCost))
    }

    @Test func noPasswordMatchesTheUnknownUserDigest() throws {
        #expect(PasswordHasher.unknownUserDigest.costLog2 == PasswordHasher.current.costLog2)
        #expect(try !PasswordHasher.verify(password: "", against: PasswordHasher.unknownUserDigest))
        #expect(try !PasswordHasher.verify(password: "password", against: PasswordHasher.unknownUserDigest))
    }

    struct Unusable: Sendable, CustomTestStringConvertible {
        let label: String
        let digest: PasswordDigest
        var testDescription: String { label }
    }

    static let unusable: [Unusable] = [
        Unusable(label: "cost below range", digest: digest(costLog2: 9, blockSize: 8, parallelism: 1)),
        Unusable(label: "cost above range", digest: digest(costLog2: 21, blockSize: 8, parallelism: 1)),
        Unusable(label: "r of zero", digest: digest(costLog2: 10, blockSize: 0, parallelism: 1)),
        Unusable(label: "r above range", digest: digest(costLog2: 10, blockSize: 33, parallelism: 1)),
        Unusable(label: "p of zero", digest: digest(costLog2: 10, blockSize: 8, parallelism: 0)),
        Unusable(label: "p above range", digest: digest(costLog2: 10, blockSize: 8, parallelism: 17)),
        Unusable(label: "in range but over the memory bound", digest: digest(costLog2: 20, blockSize: 32, parallelism: 1)),
        Unusable(label: "N not below 2^(16 r)", digest: digest(costLog2: 16, blockSize: 1, parallelism: 1)),
        Unusable(label: "empty hash", digest: digest(costLog2: 10, blockSize: 8, parallelism: 1, hashBytes: 0)),
        Unusable(label: "short salt", digest: digest(costLog2: 10, blockSize: 8, parallelism: 1, saltBytes: 4)),
    ]

    static func digest(costLog2: UInt8, blockSize: UInt32, parallelism: UInt32, saltBytes: Int = 16,
                       hashBytes: Int = 32) -> PasswordDigest {
        PasswordDigest(costLog2: costLog2, blockSize: blockSize, parallelism: parallelism,
                       salt: [UInt8](repeating: 1, count: saltBytes), hash: [UInt8](repeating: 2, count: hashBytes))
    }

    @Test(arguments: unusable)
    func anUnusableDigestIsReportedNotCompared(_ example: Unusable) {
        #expect {
            _ = try PasswordHasher.verify(password: "whatever-it-is", against: example.digest)
        } throws: { error in
            guard case .unusableDigest = error as? AccessCryptoError else { return false }
            return true
        }
    }

    @Test func theLargestAllowedMemoryIsAccepted() throws {
        let bytes = try PasswordHasher.requiredMemoryBytes(.init(costLog2: 17, blockSize: 8, parallelism: 16))
        #expect(bytes <= PasswordHasher.memoryMaximumBytes)
        #expect(bytes == 128 * 8 * ((1 << 17) + 2 + 16))
    }

    @Test func randomBytesHaveTheAskedLengthAndDiffer() throws {
        let first = try SecureRandom.bytes(32)
        let second = try SecureRandom.bytes(32)
        #expect(first.count == 32 && second.count == 32 && first != second)
        #expect(try SecureRandom.bytes(0).isEmpty)
    }
}
