import COpenSSL
import FileSystem
import Modules
import Wire

/// Ed25519 signatures of artifacts through libcrypto (Docs/MODULES.md, "Signatures"): the
/// signature covers `SignedMessage.message(sha256:)`, the artifact's sha256 read in pieces, and
/// is kept in a detached file (`SignedMessage.file`). Keys are PEM, as `openssl genpkey
/// -algorithm ed25519` and `openssl pkey -pubout` write them.
public enum ModuleSigner {
    /// The signature file's bytes for `artifact`, signed with the PEM private key `privateKeyPEM`.
    public static func sign(artifact: String, privateKeyPEM: [UInt8]) throws(ModuleArchiveError) -> [UInt8] {
        let key = try Ed25519Key(pem: privateKeyPEM, isPrivate: true)
        let digest = try ArtifactStream.sha256(ofFile: artifact)
        let message = SignedMessage.message(sha256: digest)
        let signature = try key.sign(message)
        return SignedMessage.file(sha256: digest, signature: signature)
    }

    /// Checks `signatureFile` against `artifact` and the PEM public key; returns the sha256.
    public static func verify(artifact: String, signatureFile: [UInt8], publicKeyPEM: [UInt8]) throws(ModuleArchiveError) -> [UInt8] {
        let key = try Ed25519Key(pem: publicKeyPEM, isPrivate: false)
        let parsed: (sha256: [UInt8], signature: [UInt8])
        do { parsed = try SignedMessage.parseFile(signatureFile) } catch { throw .signatureMismatch(error.description) }
        let digest = try ArtifactStream.sha256(ofFile: artifact)
        guard digest == parsed.sha256 else {
            throw .signatureMismatch("the artifact's sha256 is \(HexText.lowercase(digest)), the signature is for "
                                     + HexText.lowercase(parsed.sha256))
        }
        guard try key.verify(parsed.signature, of: SignedMessage.message(sha256: digest)) else {
            throw .signatureMismatch("the signature does not match this key")
        }
        return digest
    }

    /// Whether `signature` (64 bytes) is an Ed25519 signature of `SignedMessage.message(sha256:)`
    /// made with the key whose raw 32-byte public key is `rawPublicKey`: how an agent checks an
    /// ordered artifact against the keys its environment's policy trusts. A key of another
    /// length is refused (`.key`); a signature of another length does not verify.
    public static func verify(sha256: [UInt8], signature: [UInt8], rawPublicKey: [UInt8]) throws(ModuleArchiveError) -> Bool {
        let key = try Ed25519Key(rawPublicKey: rawPublicKey)
        guard signature.count == 64 else { return false }
        return try key.verify(signature, of: SignedMessage.message(sha256: sha256))
    }
}

/// An Ed25519 key read from PEM (libcrypto's `EVP_PKEY`).
final class Ed25519Key {
    let key: OpaquePointer

    init(pem: [UInt8], isPrivate: Bool) throws(ModuleArchiveError) {
        guard pem.count <= 16 << 10, let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw .key("the key file is not a PEM key")
        }
        defer { BIO_free(bio) }
        // A passphrase is never asked for: without a callback libcrypto would prompt on the terminal.
        var asked = false
        let read = withUnsafeMutablePointer(to: &asked) { asked in
            isPrivate ? PEM_read_bio_PrivateKey(bio, nil, Self.refusePassphrase, asked)
                : PEM_read_bio_PUBKEY(bio, nil, Self.refusePassphrase, asked)
        }
        ERR_clear_error()
        if asked, read == nil {
            throw .key("the key file holds an encrypted private key; encrypted keys are not supported (decrypt a copy readable "
                       + "only by you: (umask 077; openssl pkey -in KEY -out NEW.key))")
        }
        guard let read else {
            throw .key(isPrivate ? "the key file holds no PEM private key (make one with: openssl genpkey -algorithm ed25519)"
                       : "the key file holds no PEM public key (make one with: openssl pkey -in KEY -pubout)")
        }
        guard EVP_PKEY_get_base_id(read) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(read)
            throw .key("the key is not an Ed25519 key")
        }
        key = read
    }

    /// A public key from its raw 32 bytes (`EVP_PKEY_new_raw_public_key`).
    init(rawPublicKey: [UInt8]) throws(ModuleArchiveError) {
        guard rawPublicKey.count == 32 else { throw .key("an Ed25519 public key is 32 bytes, not \(rawPublicKey.count)") }
        guard let made = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, rawPublicKey, rawPublicKey.count) else {
            ERR_clear_error()
            throw .key("libcrypto refused the raw Ed25519 public key")
        }
        key = made
    }

    deinit { EVP_PKEY_free(key) }

    /// The passphrase callback: notes at `userdata` (a `Bool`) that a passphrase was asked for
    /// and gives none, so an encrypted key fails to load.
    static let refusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32,
                                                 UnsafeMutableRawPointer?) -> Int32 = { _, _, _, userdata in
        userdata?.assumingMemoryBound(to: Bool.self).pointee = true
        return -1
    }

    func sign(_ message: [UInt8]) throws(ModuleArchiveError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .crypto("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
              EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == 64
        else {
            ERR_clear_error()
            throw .crypto("Ed25519 signing failed")
        }
        return signature
    }

    func verify(_ signature: [UInt8], of message: [UInt8]) throws(ModuleArchiveError) -> Bool {
        guard let context = EVP_MD_CTX_new() else { throw .crypto("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            ERR_clear_error()
            throw .crypto("EVP_DigestVerifyInit")
        }
        let verified = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        ERR_clear_error()
        return verified == 1
    }
}
