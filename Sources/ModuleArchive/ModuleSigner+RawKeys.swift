import COpenSSL

/// Raw Ed25519 public keys, the form an environment's signing policy holds (Docs/MODULES.md,
/// "Signing policy"): 32 bytes, where operators keep PEM files.
extension ModuleSigner {
    /// The raw 32 bytes of the PEM public key `publicKeyPEM`.
    public static func rawPublicKey(pem publicKeyPEM: [UInt8]) throws(ModuleArchiveError) -> [UInt8] {
        try Ed25519Key(pem: publicKeyPEM, isPrivate: false).rawPublicKey()
    }
}

extension Ed25519Key {
    /// The key's raw public bytes (`EVP_PKEY_get_raw_public_key`).
    func rawPublicKey() throws(ModuleArchiveError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        guard EVP_PKEY_get_raw_public_key(key, &bytes, &length) == 1, length == 32 else {
            ERR_clear_error()
            throw .key("libcrypto could not give the key's raw public bytes")
        }
        return bytes
    }
}
