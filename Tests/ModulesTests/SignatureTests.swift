import Foundation
import ModuleArchive
import Modules
import Testing
import TestSupport
import Wire

/// Ed25519 signatures against openssl: ours verify with `openssl pkeyutl -verify -rawin`,
/// openssl's verify with ours, and a changed byte, another key or a damaged file fail.
struct SignatureTests {
    struct Keys {
        let directory: TemporaryDirectory
        let artifact: String
        let privateKey: [UInt8]
        let publicKey: [UInt8]
    }

    static let notASignatureFile = "not a hotswap module signature file (three lines: hotswap-module-signature v1, sha256, ed25519)"

    static func keysAndArtifact() throws -> Keys {
        try Prerequisite.requireTools("openssl")
        let directory = TemporaryDirectory()
        try ArchivePeers.shell("openssl genpkey -algorithm ed25519 -out key.pem && openssl pkey -in key.pem -pubout -out pub.pem",
                               in: directory.path)
        let module = try ArchivePeers.moduleDirectory(in: directory)
        let artifact = directory.file("sample.tar.gz")
        _ = try ModulePacker.pack(directory: module, output: artifact)
        return Keys(directory: directory, artifact: artifact,
                    privateKey: Array(try #require(FileManager.default.contents(atPath: directory.file("key.pem")))),
                    publicKey: Array(try #require(FileManager.default.contents(atPath: directory.file("pub.pem")))))
    }

    @Test func ourSignatureVerifiesWithOpenSSL() throws {
        let keys = try Self.keysAndArtifact()
        let file = try ModuleSigner.sign(artifact: keys.artifact, privateKeyPEM: keys.privateKey)
        let parsed = try SignedMessage.parseFile(file)
        try Data(parsed.signature).write(to: URL(fileURLWithPath: keys.directory.file("sig.bin")))
        try Data(SignedMessage.message(sha256: parsed.sha256)).write(to: URL(fileURLWithPath: keys.directory.file("message")))
        let digest = try ArchivePeers.shell("openssl dgst -sha256 -r sample.tar.gz", in: keys.directory.path)
        #expect(digest.hasPrefix(HexText.lowercase(parsed.sha256)))
        let verified = try ArchivePeers.shell("openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in message -sigfile sig.bin",
                                              in: keys.directory.path)
        #expect(verified.contains("Signature Verified Successfully"))
        #expect(try ModuleSigner.verify(artifact: keys.artifact, signatureFile: file, publicKeyPEM: keys.publicKey) == parsed.sha256)
    }

    @Test func anOpenSSLSignatureVerifiesWithOurs() throws {
        let keys = try Self.keysAndArtifact()
        let digest = try ArchivePeers.shell("openssl dgst -sha256 -r sample.tar.gz", in: keys.directory.path).prefix(64)
        let sha = (0..<32).map { UInt8(digest.dropFirst($0 * 2).prefix(2), radix: 16)! }
        try Data(SignedMessage.message(sha256: sha)).write(to: URL(fileURLWithPath: keys.directory.file("message")))
        try ArchivePeers.shell("openssl pkeyutl -sign -inkey key.pem -rawin -in message -out sig.bin", in: keys.directory.path)
        let signature = Array(try #require(FileManager.default.contents(atPath: keys.directory.file("sig.bin"))))
        let file = SignedMessage.file(sha256: sha, signature: signature)
        #expect(try ModuleSigner.verify(artifact: keys.artifact, signatureFile: file, publicKeyPEM: keys.publicKey) == sha)
    }

    @Test func aChangedByteAnotherKeyOrADamagedFileFails() throws {
        let keys = try Self.keysAndArtifact()
        let file = try ModuleSigner.sign(artifact: keys.artifact, privateKeyPEM: keys.privateKey)
        var bytes = try #require(FileManager.default.contents(atPath: keys.artifact))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: keys.directory.file("tampered.tar.gz")))
        let signed = try SignedMessage.parseFile(file)
        let digest = try ArchivePeers.shell("openssl dgst -sha256 -r tampered.tar.gz", in: keys.directory.path).prefix(64)
        let tampered = (0..<32).map { UInt8(digest.dropFirst($0 * 2).prefix(2), radix: 16)! }
        #expect(throws: ModuleArchiveError.signatureMismatch("the artifact's sha256 is \(HexText.lowercase(tampered)), the signature is "
                                                             + "for \(HexText.lowercase(signed.sha256))")) {
            try ModuleSigner.verify(artifact: keys.directory.file("tampered.tar.gz"), signatureFile: file, publicKeyPEM: keys.publicKey)
        }
        // The file's sha256 line rewritten to the tampered artifact's: the digests agree, the signature does not.
        #expect(throws: ModuleArchiveError.signatureMismatch("the signature does not match this key")) {
            try ModuleSigner.verify(artifact: keys.directory.file("tampered.tar.gz"),
                                    signatureFile: SignedMessage.file(sha256: tampered, signature: signed.signature),
                                    publicKeyPEM: keys.publicKey)
        }
        try ArchivePeers.shell("openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out other.pem", in: keys.directory.path)
        let other = Array(try #require(FileManager.default.contents(atPath: keys.directory.file("other.pem"))))
        #expect(throws: ModuleArchiveError.signatureMismatch("the signature does not match this key")) {
            try ModuleSigner.verify(artifact: keys.artifact, signatureFile: file, publicKeyPEM: other)
        }
        var forged = try SignedMessage.parseFile(file)
        forged.signature[0] ^= 0x80
        #expect(throws: ModuleArchiveError.signatureMismatch("the signature does not match this key")) {
            try ModuleSigner.verify(artifact: keys.artifact,
                                    signatureFile: SignedMessage.file(sha256: forged.sha256, signature: forged.signature),
                                    publicKeyPEM: keys.publicKey)
        }
        #expect(throws: ModuleArchiveError.signatureMismatch(Self.notASignatureFile)) {
            try ModuleSigner.verify(artifact: keys.artifact, signatureFile: Array(file.dropLast(3)), publicKeyPEM: keys.publicKey)
        }
    }

    @Test func keysThatAreNotEd25519AreRefused() throws {
        let keys = try Self.keysAndArtifact()
        try ArchivePeers.shell("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem", in: keys.directory.path)
        let ec = Array(try #require(FileManager.default.contents(atPath: keys.directory.file("ec.pem"))))
        #expect(throws: ModuleArchiveError.key("the key is not an Ed25519 key")) {
            try ModuleSigner.sign(artifact: keys.artifact, privateKeyPEM: ec)
        }
        let noPrivateKey = "the key file holds no PEM private key (make one with: openssl genpkey -algorithm ed25519)"
        #expect(throws: ModuleArchiveError.key(noPrivateKey)) {
            try ModuleSigner.sign(artifact: keys.artifact, privateKeyPEM: keys.publicKey)
        }
        #expect(throws: ModuleArchiveError.key("the key file holds no PEM public key (make one with: openssl pkey -in KEY -pubout)")) {
            try ModuleSigner.verify(artifact: keys.artifact, signatureFile: [], publicKeyPEM: Array("x".utf8))
        }
        #expect(throws: ModuleArchiveError.signatureMismatch(Self.notASignatureFile)) {
            try ModuleSigner.verify(artifact: keys.artifact, signatureFile: [], publicKeyPEM: keys.publicKey)
        }
    }

    /// libcrypto would prompt on the terminal for an encrypted key's passphrase; none is ever asked for.
    @Test func anEncryptedKeyIsRefusedWithoutAPrompt() throws {
        let keys = try Self.keysAndArtifact()
        try ArchivePeers.shell("openssl pkey -in key.pem -aes256 -passout pass:secret -out encrypted.pem", in: keys.directory.path)
        let encrypted = Array(try #require(FileManager.default.contents(atPath: keys.directory.file("encrypted.pem"))))
        #expect(throws: ModuleArchiveError.key("the key file holds an encrypted private key; encrypted keys are not supported "
                                               + "(decrypt a copy readable only by you: (umask 077; openssl pkey -in KEY -out NEW.key))")) {
            try ModuleSigner.sign(artifact: keys.artifact, privateKeyPEM: encrypted)
        }
    }
}
