import COpenSSL

/// Random bytes from OpenSSL's CSPRNG, for salts, signing keys, key ids and token ids.
public enum SecureRandom {
    /// Bounds one draw; nothing in `Access` needs more than a signing key's 32 bytes.
    public static let countMaximum = 1_024

    public static func bytes(_ count: Int) throws(AccessCryptoError) -> [UInt8] {
        precondition((0...countMaximum).contains(count), "SecureRandom.bytes(\(count)) is outside 0...\(countMaximum)")
        var bytes = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&bytes, Int32(count)) == 1 else {
            throw .randomBytes(detail: AccessCryptoError.openSSLReason())
        }
        return bytes
    }
}
