/// A salted scrypt hash of a user's password with the parameters it was made
/// with, so parameters can be raised later while old hashes still verify
/// (Docs/ACCESS.md). Made and checked by `Access.PasswordHasher`; the replicated
/// state only stores it. Its description never shows salt or hash.
public struct PasswordDigest: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public static let saltBytes = 16
    public static let hashBytes = 32

    /// scrypt's N as a power of two (N = 2^costLog2).
    public let costLog2: UInt8
    /// scrypt's r.
    public let blockSize: UInt32
    /// scrypt's p.
    public let parallelism: UInt32
    public let salt: [UInt8]
    public let hash: [UInt8]

    public init(costLog2: UInt8, blockSize: UInt32, parallelism: UInt32, salt: [UInt8], hash: [UInt8]) {
        self.costLog2 = costLog2
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.hash = hash
    }

    public var description: String { "scrypt(N=2^\(costLog2), r=\(blockSize), p=\(parallelism))" }
    public var debugDescription: String { description }
}
