import COpenSSL

/// SHA-256 from libcrypto, for digests that files and answers carry (a saved snapshot's).
public enum SHA256Digest {
    public static let byteCount = 32

    /// The 32-byte digest of `bytes`; throws only when libcrypto fails.
    public static func of(_ bytes: ArraySlice<UInt8>) throws(AccessCryptoError) -> [UInt8] {
        try of(parts: [bytes])
    }

    /// The 32-byte digest of `parts` one after another, hashed where they lie: a file's header and
    /// payload are never joined to be hashed. Throws only when libcrypto fails.
    public static func of(parts: [ArraySlice<UInt8>]) throws(AccessCryptoError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .digest(detail: "SHA-256: " + AccessCryptoError.openSSLReason()) }
        defer { EVP_MD_CTX_free(context) }
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        var status = EVP_DigestInit_ex(context, EVP_sha256(), nil)
        for part in parts where status == 1 {
            status = part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
        if status == 1 { status = EVP_DigestFinal_ex(context, &digest, &length) }
        guard status == 1, length == UInt32(byteCount) else {
            throw .digest(detail: "SHA-256: " + AccessCryptoError.openSSLReason())
        }
        return digest
    }
}
