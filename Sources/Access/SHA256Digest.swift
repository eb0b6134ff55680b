import COpenSSL

/// SHA-256 from libcrypto, for digests that files and answers carry (a saved snapshot's).
public enum SHA256Digest {
    public static let byteCount = 32

    /// The 32-byte digest of `bytes`; throws only when libcrypto fails.
    public static func of(_ bytes: ArraySlice<UInt8>) throws(AccessCryptoError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        guard status == 1, length == UInt32(byteCount) else {
            throw .digest(detail: "SHA-256: " + AccessCryptoError.openSSLReason())
        }
        return digest
    }
}
