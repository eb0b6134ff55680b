import COpenSSL

/// Byte comparison whose duration does not depend on where the inputs differ (`CRYPTO_memcmp`),
/// for password hashes and token signatures.
enum ConstantTime {
    /// Lengths are public (a digest's or a MAC's fixed size), so unequal lengths answer at once.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0 }
        }
    }
}
