import Foundation
import Glibc
import Testing

@testable import Certificates
import TestSupport

@Suite struct AgentCertificateIssuerTests {
    /// A CA in a fresh directory, its key made 0600 as `--signing-key` requires.
    static func authority() throws -> (TemporaryDirectory, CertificatePaths) {
        let directory = TemporaryDirectory()
        let paths = try CertificateAuthority.initialize(directory: directory.path)
        return (directory, paths)
    }

    /// A request `openssl req` makes for another name, asking for a SAN and serverAuth as well.
    static func greedyRequest(in directory: TemporaryDirectory) throws -> [UInt8] {
        let made = try OpenSSLCommand.run([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "greedy.key",
            "-subj", "/CN=coordinator-1", "-addext", "subjectAltName=DNS:evil.example,URI:hotswap://coordinator/c1",
            "-addext", "extendedKeyUsage=serverAuth,clientAuth", "-outform", "DER", "-out", "greedy.csr",
        ], in: directory.path)
        #expect(made.status == 0, "\(made.errorOutput)")
        return Array(try #require(directory.contents("greedy.csr")))
    }

    @Test func issuesOnlyTheAgentIdentityAndClientAuthWhateverTheRequestAsks() throws {
        let (directory, ca) = try Self.authority()
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        let now = Int64(Date().timeIntervalSince1970)
        let pem = try issuer.issue(requestDER: try Self.greedyRequest(in: directory), name: "node-9", nowUnixSeconds: now)
        try directory.write("node-9.pem", String(decoding: pem, as: UTF8.self))
        let certificate = directory.file("node-9.pem")

        let verify = try OpenSSLCommand.run(["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", ca.certificate, certificate])
        #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")
        let sans = try OpenSSLCommand.run(["x509", "-noout", "-ext", "subjectAltName", "-in", certificate])
        #expect(sans.output == "X509v3 Subject Alternative Name: \n    URI:hotswap://agent/node-9\n")
        let usages = try OpenSSLCommand.run(["x509", "-noout", "-ext", "extendedKeyUsage", "-in", certificate])
        #expect(usages.output == "X509v3 Extended Key Usage: \n    TLS Web Client Authentication\n")
        let subject = try OpenSSLCommand.run(["x509", "-noout", "-subject", "-in", certificate])
        #expect(subject.output == "subject=CN = node-9\n")
        let samePublicKey = try OpenSSLCommand.run(["x509", "-noout", "-pubkey", "-in", certificate])
        let requestKey = try OpenSSLCommand.run(["pkey", "-pubout", "-in", "greedy.key"], in: directory.path)
        #expect(samePublicKey.output == requestKey.output)
        let info = try CertificateInfo.load(path: certificate)
        #expect(info.notAfter == now + AgentCertificateIssuer.lifetimeSecondsDefault)
    }

    @Test func refusesARequestWhoseSignatureDoesNotVerify() throws {
        let (directory, ca) = try Self.authority()
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        var request = try CertificateRequest.make(name: "node-1").der
        request[request.count - 3] ^= 0x01
        #expect(throws: CertificateError.self) {
            _ = try issuer.issue(requestDER: request, name: "node-1", nowUnixSeconds: 1_800_000_000)
        }
        _ = directory
    }

    /// What enrollment runs before a token is used: the same verdict `issue` would give.
    @Test func checkAcceptsWhatIssueSignsAndRefusesWhatItRefuses() throws {
        var request = try CertificateRequest.make(name: "node-1").der
        try AgentCertificateIssuer.check(requestDER: request)
        request[request.count - 3] ^= 0x01
        #expect(throws: CertificateError.self) { try AgentCertificateIssuer.check(requestDER: request) }
        #expect(throws: CertificateError.self) { try AgentCertificateIssuer.check(requestDER: []) }
    }

    @Test(arguments: [0, 16, 5_000])
    func refusesBytesThatAreNoRequest(count: Int) throws {
        let bytes = [UInt8](repeating: 0x30, count: count)
        let (directory, ca) = try Self.authority()
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        #expect {
            _ = try issuer.issue(requestDER: bytes, name: "node-1", nowUnixSeconds: 1_800_000_000)
        } throws: { error in
            if case .invalidRequest = error as? CertificateError { return true }
            return false
        }
        _ = directory
    }

    @Test func refusesAnInvalidName() throws {
        let (directory, ca) = try Self.authority()
        defer { _ = directory }
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        let request = try CertificateRequest.make(name: "node-1").der
        #expect(throws: CertificateError.invalidName("../node")) {
            _ = try issuer.issue(requestDER: request, name: "../node", nowUnixSeconds: 1_800_000_000)
        }
    }

    @Test(arguments: [0o604, 0o644, 0o660, 0o460, 0o444, 0o4600] as [mode_t])
    func refusesASigningKeyOthersCanReach(mode: mode_t) throws {
        let (directory, ca) = try Self.authority()
        defer { _ = directory }
        #expect(chmod(ca.privateKey, mode) == 0)
        #expect {
            _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        } throws: { error in
            if case .exposedKey(ca.privateKey, _) = error as? CertificateError { return true }
            return false
        }
    }

    @Test func acceptsAReadOnlyKeyAGroupReadableOneAndRefusesAKeyOfAnotherCA() throws {
        let (directory, ca) = try Self.authority()
        defer { _ = directory }
        for mode: mode_t in [0o400, 0o440, 0o640] {
            #expect(chmod(ca.privateKey, mode) == 0)
            _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        }
        let (otherDirectory, other) = try Self.authority()
        defer { _ = otherDirectory }
        #expect(throws: CertificateError.keyMismatch(certificatePath: ca.certificate, keyPath: other.privateKey)) {
            _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: other.privateKey)
        }
    }

    /// A Secret volume shows each key as a link to a file of the mode it was given: the file counts.
    @Test func followsALinkToTheKeyAndJudgesTheFileItNames() throws {
        let (directory, ca) = try Self.authority()
        defer { _ = directory }
        let link = ca.privateKey + ".link"
        #expect(symlink(ca.privateKey, link) == 0)
        #expect(chmod(ca.privateKey, 0o440) == 0)
        _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: link)
        #expect(chmod(ca.privateKey, 0o644) == 0)
        #expect {
            _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: link)
        } throws: { error in
            if case .exposedKey(link, _) = error as? CertificateError { return true }
            return false
        }
    }

    @Test(arguments: [59, 366 * 24 * 3_600 + 1] as [Int64])
    func refusesALifetimeOutOfBounds(seconds: Int64) throws {
        let (directory, ca) = try Self.authority()
        defer { _ = directory }
        #expect(throws: CertificateError.self) {
            _ = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey, lifetimeSeconds: seconds)
        }
    }

    @Test func madeRequestVerifiesWithOpenSSLAndItsKeyStaysWithTheCaller() throws {
        let directory = TemporaryDirectory()
        let request = try CertificateRequest.make(name: "node-3")
        try Data(request.der).write(to: URL(fileURLWithPath: directory.file("r.der")))
        try directory.write("r.key", String(decoding: request.privateKeyPEM, as: UTF8.self))
        let verify = try OpenSSLCommand.run(["req", "-inform", "DER", "-in", "r.der", "-verify", "-noout", "-subject"], in: directory.path)
        #expect(verify.status == 0, "\(verify.errorOutput)")
        #expect(verify.output == "subject=CN = node-3\n")
        let fromRequest = try OpenSSLCommand.run(["req", "-inform", "DER", "-in", "r.der", "-noout", "-pubkey"], in: directory.path)
        let fromKey = try OpenSSLCommand.run(["pkey", "-pubout", "-in", "r.key"], in: directory.path)
        #expect(fromRequest.output == fromKey.output)
    }
}
