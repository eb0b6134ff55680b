import COpenSSL

/// A running sha256 over bytes fed in pieces (libcrypto's EVP interface), so an artifact's digest
/// is computed while it streams and never needs it whole in memory.
final class SHA256Digest {
    private let context: OpaquePointer

    init() throws(ModuleArchiveError) {
        guard let context = EVP_MD_CTX_new() else { throw .crypto("EVP_MD_CTX_new") }
        self.context = context
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw .crypto("EVP_DigestInit_ex(sha256)") }
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: ArraySlice<UInt8>) {
        let updated = bytes.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(updated == 1, "EVP_DigestUpdate failed on an initialized sha256 context")
    }

    /// The 32-byte digest; the digest must not be updated after.
    func finish() throws(ModuleArchiveError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else { throw .crypto("EVP_DigestFinal_ex") }
        return digest
    }
}
