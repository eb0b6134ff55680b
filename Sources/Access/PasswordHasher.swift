import COpenSSL
import Fleet

/// Makes and checks scrypt password digests with libcrypto (`EVP_PBE_scrypt`), at the
/// parameters of Docs/ACCESS.md. Each call blocks for tens of milliseconds and takes about
/// 32 MiB at the current parameters: the coordinator runs these on its bounded hashing pool,
/// never on an event loop.
public enum PasswordHasher {
    /// scrypt's cost settings: N = 2^costLog2, r = blockSize, p = parallelism.
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        public let costLog2: UInt8
        public let blockSize: UInt32
        public let parallelism: UInt32

        public init(costLog2: UInt8, blockSize: UInt32, parallelism: UInt32) {
            self.costLog2 = costLog2
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        public var description: String { "N=2^\(costLog2), r=\(blockSize), p=\(parallelism)" }
    }

    /// N = 2^15, r = 8, p = 3: about 32 MiB per hash (Docs/ACCESS.md says why).
    public static let current = Parameters(costLog2: 15, blockSize: 8, parallelism: 3)

    /// What one hash may allocate (scrypt needs 128 * r * (N + 2 + p) bytes). The ranges Fleet
    /// stores (`PasswordDigest.costLog2Range` and the others) allow up to 4 GiB, so this
    /// bound, checked with them before computing, is what keeps a stored digest from exhausting
    /// memory: it admits N = 2^17 at r = 8 (128 MiB), four times the current cost.
    public static let memoryMaximumBytes: UInt64 = 256 << 20

    /// A fixed digest at the current parameters that no password matches in practice: a login
    /// for a user that does not exist is checked against it, so it costs what a real one does.
    public static let unknownUserDigest = PasswordDigest(
        costLog2: current.costLog2, blockSize: current.blockSize, parallelism: current.parallelism,
        salt: [UInt8](repeating: 0x5A, count: PasswordDigest.saltBytes),
        hash: [UInt8](repeating: 0, count: PasswordDigest.hashBytes))

    /// A new digest of `password` with `salt` (16 random bytes, `SecureRandom.bytes`).
    public static func digest(password: String, salt: [UInt8], parameters: Parameters = current)
        throws(AccessCryptoError) -> PasswordDigest
    {
        guard salt.count == PasswordDigest.saltBytes else {
            throw .unusableDigest(reason: "the salt is \(salt.count) bytes, not \(PasswordDigest.saltBytes)")
        }
        let hash = try scrypt(password: Array(password.utf8), salt: salt, parameters: parameters,
                              outputBytes: PasswordDigest.hashBytes)
        return PasswordDigest(costLog2: parameters.costLog2, blockSize: parameters.blockSize,
                              parallelism: parameters.parallelism, salt: salt, hash: hash)
    }

    /// Whether `password` hashes to `digest`, compared in constant time. Throws when the digest
    /// itself is unusable (parameters out of range, wrong salt or hash length), so a damaged
    /// record is reported rather than read as a wrong password.
    public static func verify(password: String, against digest: PasswordDigest) throws(AccessCryptoError) -> Bool {
        guard digest.hash.count == PasswordDigest.hashBytes else {
            throw .unusableDigest(reason: "the hash is \(digest.hash.count) bytes, not \(PasswordDigest.hashBytes)")
        }
        let parameters = Parameters(costLog2: digest.costLog2, blockSize: digest.blockSize, parallelism: digest.parallelism)
        let candidate = try self.digest(password: password, salt: digest.salt, parameters: parameters)
        return ConstantTime.equal(candidate.hash, digest.hash)
    }

    /// Raw scrypt, any salt and output length (the RFC 7914 vectors use a 4-byte salt, 64 bytes out).
    static func scrypt(password: [UInt8], salt: [UInt8], parameters: Parameters, outputBytes: Int)
        throws(AccessCryptoError) -> [UInt8]
    {
        let memoryBytes = try requiredMemoryBytes(parameters)
        var output = [UInt8](repeating: 0, count: outputBytes)
        let status = password.withUnsafeBufferPointer { passwordBytes in
            passwordBytes.withMemoryRebound(to: CChar.self) { passwordChars in
                EVP_PBE_scrypt(passwordChars.baseAddress, passwordChars.count, salt, salt.count,
                               UInt64(1) << parameters.costLog2, UInt64(parameters.blockSize),
                               UInt64(parameters.parallelism), memoryBytes, &output, output.count)
            }
        }
        guard status == 1 else { throw .scrypt(detail: AccessCryptoError.openSSLReason()) }
        return output
    }

    /// The memory scrypt allocates for `parameters` (OpenSSL's own formula), refusing parameters
    /// outside the allowed ranges, with N not below 2^(16 r), or above `memoryMaximumBytes`.
    static func requiredMemoryBytes(_ parameters: Parameters) throws(AccessCryptoError) -> UInt64 {
        guard PasswordDigest.costLog2Range.contains(parameters.costLog2),
              PasswordDigest.blockSizeRange.contains(parameters.blockSize),
              PasswordDigest.parallelismRange.contains(parameters.parallelism),
              PasswordDigest.costFits(costLog2: parameters.costLog2, blockSize: parameters.blockSize)
        else {
            throw .unusableDigest(reason: "\(parameters) is outside what a stored digest may use")
        }
        let blockBytes = 128 * UInt64(parameters.blockSize)
        let memoryBytes = blockBytes * ((UInt64(1) << parameters.costLog2) + 2 + UInt64(parameters.parallelism))
        guard memoryBytes <= memoryMaximumBytes else {
            throw .unusableDigest(reason: "\(parameters) needs \(memoryBytes) bytes, over the \(memoryMaximumBytes)-byte bound")
        }
        return memoryBytes
    }
}
