import COpenSSL

/// A short, one-way name for a secret the API never shows (an approval webhook's key): the first
/// 12 hex digits of its SHA-256, as `printf %s "$SECRET" | sha256sum | cut -c1-12` prints, so an
/// operator can tell which secret is set without it being readable.
public enum SecretFingerprint {
    public static let hexDigits = 12

    /// The fingerprint, or "unavailable" should libcrypto fail.
    public static func of(_ secret: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = secret.withUnsafeBytes { bytes in
            EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        }
        guard status == 1, length == 32 else { return "unavailable" }
        return String(digest.prefix(hexDigits / 2).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined())
    }
}
