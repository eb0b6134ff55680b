import COpenSSL
import Wire

/// A short, one-way name for a secret the API never shows (an approval webhook's key): the first
/// 12 hex digits of its SHA-256, as `printf %s "$SECRET" | sha256sum | cut -c1-12` prints, so an
/// operator can tell which secret is set without it being readable.
public enum SecretFingerprint {
    public static let hexDigits = 12

    /// The fingerprint, or "unavailable" should libcrypto fail.
    public static func of(_ secret: [UInt8]) -> String {
        guard let digest = sha256(secret) else { return "unavailable" }
        return HexText.lowercase(digest.prefix(hexDigits / 2))
    }

    /// The SHA-256 of `bytes` (a join token's secret is replicated only as this), or nil should libcrypto fail.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        return status == 1 && length == 32 ? digest : nil
    }
}
