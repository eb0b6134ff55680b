@testable import Agent
import FileSystem
import HostInstall
import ModuleArchive
import Modules
import Testing
import TestSupport

/// The signature policy of an order with a real Ed25519 key made by openssl: the raw public
/// key the order carries verifies the signature `ModuleSigner` made over the artifact's sha256.
@Suite struct ArtifactTrustTests {
    let directory = TemporaryDirectory()

    /// A key pair: the PEM private key and the raw 32-byte public key.
    func keyPair(_ name: String) throws -> (privateKey: [UInt8], publicKey: [UInt8]) {
        let made = try ExternalCommand.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", "\(name).pem"],
                                           workingDirectory: directory.path)
        let exported = try ExternalCommand.run(["openssl", "pkey", "-in", "\(name).pem", "-pubout", "-outform", "DER", "-out",
                                                "\(name).der"], workingDirectory: directory.path)
        #expect(made.status == 0 && exported.status == 0, "\(made.combined)\(exported.combined)")
        let der = try FileReader.read(directory.file("\(name).der"), maximumBytes: 1024)
        return (try FileReader.read(directory.file("\(name).pem"), maximumBytes: 4096), Array(der.suffix(32)))
    }

    @Test func onlyASignatureATrustedKeyVerifiesIsAdmitted() throws {
        try Prerequisite.requireTools("openssl")
        let trusted = try keyPair("trusted"), other = try keyPair("other")
        let path = directory.file("artifact")
        try AtomicWrite.replace(path, with: Array("a module".utf8), mode: 0o600)
        let sha256 = try ArtifactDigest(hashingFile: path).bytes
        let signature = try SignedMessage.parseFile(try ModuleSigner.sign(artifact: path, privateKeyPEM: trusted.privateKey)).signature
        var artifact = OrderedArtifact(sha256: sha256, size: 8, signature: signature)
        #expect(ArtifactTrust.refusal(artifact) == nil, "with no trusted keys the signature is not checked")
        artifact.trustedKeys = [other.publicKey, trusted.publicKey]
        #expect(ArtifactTrust.refusal(artifact) == nil)

        artifact.trustedKeys = [other.publicKey]
        #expect(ArtifactTrust.refusal(artifact)?.contains("none of the 1 trusted keys") == true)
        artifact.trustedKeys = [trusted.publicKey]
        artifact.signature = signature.map { $0 ^ 1 }
        #expect(ArtifactTrust.refusal(artifact) != nil)
        artifact.signature = nil
        #expect(ArtifactTrust.refusal(artifact)?.contains("unsigned") == true)
        #expect(throws: ModuleArchiveError.self) {
            try ModuleSigner.verify(sha256: sha256, signature: signature, rawPublicKey: [1, 2, 3])
        }
    }
}
