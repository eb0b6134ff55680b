import Foundation
import Testing

@testable import Certificates
import TestSupport

/// A CA directory with one certificate per role, shared by the verifier tests.
struct VerifierFixture {
    let directory: TemporaryDirectory
    let ca: CertificatePaths
    let coordinator: CertificatePaths
    let agent: CertificatePaths

    init() throws {
        directory = TemporaryDirectory()
        ca = try CertificateAuthority.initialize(directory: directory.path)
        coordinator = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .coordinator, name: "c1"),
            ipAddresses: [], dnsNames: [])
        agent = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"),
            ipAddresses: [], dnsNames: [])
    }

    var now: Int64 { Int64(Date().timeIntervalSince1970) }

    func verify(
        _ paths: CertificatePaths, role: NodeRole, name: String?, caPath: String? = nil, at time: Int64? = nil
    ) throws(CertificateError) -> CertificateInfo {
        try CertificateVerifier.verify(
            certificatePath: paths.certificate, privateKeyPath: paths.privateKey, caPath: caPath ?? ca.certificate,
            expectedRole: role, expectedName: name, nowUnixSeconds: time ?? now)
    }
}

@Suite struct CertificateVerifierTests {
    @Test func acceptsAGoodCertificateAndReturnsItsIdentity() throws {
        let fixture = try VerifierFixture()
        let info = try fixture.verify(fixture.coordinator, role: .coordinator, name: "c1")
        #expect(info.identity == (try NodeIdentity(role: .coordinator, name: "c1")))
        #expect(try fixture.verify(fixture.agent, role: .agent, name: nil).identity?.name == "a1")
    }

    @Test func rejectsACertificateFromAnotherCA() throws {
        let fixture = try VerifierFixture()
        let other = try VerifierFixture()
        #expect(throws: CertificateError.notSignedByCA(
            other.agent.certificate, reason: "unable to get local issuer certificate")) {
            try fixture.verify(other.agent, role: .agent, name: "a1")
        }
    }

    @Test func rejectsAnExpiredCertificateNamingTheDate() throws {
        let fixture = try VerifierFixture()
        let paths = try CertificateAuthority.issue(
            directory: fixture.directory.path, identity: NodeIdentity(role: .agent, name: "old"),
            ipAddresses: [], dnsNames: [], notBefore: 999_000_000, notAfter: 1_000_000_000)
        #expect(throws: CertificateError.expired(paths.certificate, notAfter: "2001-09-09 01:46:40 UTC")) {
            try fixture.verify(paths, role: .agent, name: "old")
        }
    }

    @Test func rejectsACertificateOnceTheClockPassesItsEnd() throws {
        let fixture = try VerifierFixture()
        let info = try CertificateInfo.load(path: fixture.agent.certificate)
        _ = try fixture.verify(fixture.agent, role: .agent, name: "a1", at: info.notAfter)
        #expect(throws: CertificateError.expired(fixture.agent.certificate, notAfter: UnixTime.text(info.notAfter))) {
            try fixture.verify(fixture.agent, role: .agent, name: "a1", at: info.notAfter + 1)
        }
    }

    @Test func rejectsACertificateThatIsNotYetValid() throws {
        let fixture = try VerifierFixture()
        let paths = try CertificateAuthority.issue(
            directory: fixture.directory.path, identity: NodeIdentity(role: .agent, name: "future"),
            ipAddresses: [], dnsNames: [], notBefore: 4_102_444_800, notAfter: 4_102_531_200)
        #expect(throws: CertificateError.notYetValid(paths.certificate, notBefore: "2100-01-01 00:00:00 UTC")) {
            try fixture.verify(paths, role: .agent, name: "future")
        }
    }

    @Test func rejectsACertificateWhoseCAHasExpired() throws {
        let directory = TemporaryDirectory()
        let ca = try CertificateAuthority.initialize(directory: directory.path, validityDays: 1)
        let agent = try CertificateAuthority.issue(
            directory: directory.path, identity: NodeIdentity(role: .agent, name: "a1"), ipAddresses: [], dnsNames: [])
        let caNotAfter = try CertificateInfo.load(path: ca.certificate).notAfter
        #expect(throws: CertificateError.expired(ca.certificate, notAfter: UnixTime.text(caNotAfter))) {
            try CertificateVerifier.verify(
                certificatePath: agent.certificate, privateKeyPath: agent.privateKey, caPath: ca.certificate,
                expectedRole: .agent, expectedName: "a1", nowUnixSeconds: caNotAfter + 1)
        }
    }

    @Test func rejectsTheWrongRole() throws {
        let fixture = try VerifierFixture()
        #expect(throws: CertificateError.wrongRole(fixture.agent.certificate, expected: .coordinator, found: "agent")) {
            try fixture.verify(fixture.agent, role: .coordinator, name: nil)
        }
    }

    @Test func rejectsTheWrongName() throws {
        let fixture = try VerifierFixture()
        #expect(throws: CertificateError.wrongName(fixture.coordinator.certificate, expected: "c2", found: "c1")) {
            try fixture.verify(fixture.coordinator, role: .coordinator, name: "c2")
        }
    }

    @Test func rejectsAKeyThatDoesNotMatchTheCertificate() throws {
        let fixture = try VerifierFixture()
        let mixed = CertificatePaths(certificate: fixture.agent.certificate, privateKey: fixture.coordinator.privateKey)
        #expect(throws: CertificateError.keyMismatch(
            certificatePath: mixed.certificate, keyPath: mixed.privateKey)) {
            try fixture.verify(mixed, role: .agent, name: "a1")
        }
    }

    @Test func rejectsTheCAItselfForHavingNoIdentity() throws {
        let fixture = try VerifierFixture()
        #expect(throws: CertificateError.missingIdentity(fixture.ca.certificate)) {
            try fixture.verify(fixture.ca, role: .coordinator, name: nil)
        }
    }

    @Test func rejectsACASignedCertificateWithoutAHotSwapURI() throws {
        let fixture = try VerifierFixture()
        let directory = fixture.directory
        try directory.write(
            "plain.ext",
            "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:plain.example\n"
                + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
        let request = try OpenSSLCommand.run([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "plain.key", "-subj", "/CN=plain", "-out", "plain.csr",
        ], in: directory.path)
        #expect(request.status == 0, "\(request.errorOutput)")
        let signing = try OpenSSLCommand.run([
            "x509", "-req", "-in", "plain.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "4660",
            "-days", "1", "-extfile", "plain.ext", "-out", "plain.pem",
        ], in: directory.path)
        #expect(signing.status == 0, "\(signing.errorOutput)")
        let plain = CertificatePaths(certificate: directory.file("plain.pem"), privateKey: directory.file("plain.key"))
        #expect(throws: CertificateError.missingIdentity(plain.certificate)) {
            try fixture.verify(plain, role: .agent, name: nil)
        }
    }

    @Test func refusesAnEncryptedKeyInsteadOfPromptingForAPassphrase() throws {
        let fixture = try VerifierFixture()
        let encryption = try OpenSSLCommand.run([
            "pkey", "-in", fixture.agent.privateKey, "-aes256", "-passout", "pass:secret", "-out", "encrypted.key",
        ], in: fixture.directory.path)
        #expect(encryption.status == 0, "\(encryption.errorOutput)")
        let encrypted = CertificatePaths(
            certificate: fixture.agent.certificate, privateKey: fixture.directory.file("encrypted.key"))
        do {
            _ = try fixture.verify(encrypted, role: .agent, name: "a1")
            Issue.record("an encrypted key was accepted")
        } catch {
            guard case .unreadable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == encrypted.privateKey)
            #expect(reason.hasPrefix("not an unencrypted PEM private key"))
        }
    }

    @Test func reportsAMissingFileByPath() throws {
        let fixture = try VerifierFixture()
        let missing = CertificatePaths(certificate: fixture.directory.file("nope.pem"), privateKey: fixture.agent.privateKey)
        #expect(throws: CertificateError.fileMissing(missing.certificate)) {
            try fixture.verify(missing, role: .agent, name: nil)
        }
        #expect(throws: CertificateError.fileMissing(fixture.directory.file("nope-ca.pem"))) {
            try fixture.verify(fixture.agent, role: .agent, name: nil, caPath: fixture.directory.file("nope-ca.pem"))
        }
    }

    @Test func reportsAFileThatIsNotPEMAsUnreadable() throws {
        let fixture = try VerifierFixture()
        try fixture.directory.write("garbage.pem", "not a certificate\n")
        let garbage = CertificatePaths(certificate: fixture.directory.file("garbage.pem"), privateKey: fixture.agent.privateKey)
        do {
            _ = try fixture.verify(garbage, role: .agent, name: nil)
            Issue.record("a garbage certificate was accepted")
        } catch {
            guard case .unreadable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == garbage.certificate)
            #expect(reason.hasPrefix("not a PEM certificate"))
        }
    }
}
