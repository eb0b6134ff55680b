import Foundation
import Testing

@testable import Certificates
import TestSupport

/// Which keys a certificate request may carry (`AgentCertificateIssuer.check`), and the check an agent
/// makes of the certificate it is given (`IssuedCertificateCheck`).
@Suite struct AgentCertificateKeyTests {
    /// A DER request `openssl req` makes for a new key of `algorithm` with `options`.
    static func request(_ algorithm: String, _ options: [String], in directory: TemporaryDirectory) throws -> [UInt8] {
        let made = try OpenSSLCommand.run(
            ["req", "-new", "-newkey", algorithm] + options.flatMap { ["-pkeyopt", $0] }
                + ["-nodes", "-keyout", "k.pem", "-subj", "/CN=node-1", "-outform", "DER", "-out", "r.der"],
            in: directory.path)
        #expect(made.status == 0, "\(made.errorOutput)")
        return Array(try #require(directory.contents("r.der")))
    }

    static let accepted: [(String, [String])] = [
        ("ec", ["ec_paramgen_curve:P-256"]), ("ec", ["ec_paramgen_curve:P-384"]),
        ("rsa", ["rsa_keygen_bits:2048"]), ("rsa", ["rsa_keygen_bits:4096"]),
    ]

    static let refused: [(String, [String])] = [
        ("ec", ["ec_paramgen_curve:P-521"]), ("ec", ["ec_paramgen_curve:secp256k1"]),
        ("rsa", ["rsa_keygen_bits:1024"]), ("rsa", ["rsa_keygen_bits:4160"]), ("ed25519", []),
    ]

    @Test(arguments: accepted)
    func signsP256P384AndRSAUpTo4096Bits(algorithm: String, options: [String]) throws {
        let directory = TemporaryDirectory()
        try AgentCertificateIssuer.check(requestDER: try Self.request(algorithm, options, in: directory))
    }

    @Test(arguments: refused)
    func refusesOtherCurvesRSAOutOfBoundsAndOtherKeyTypes(algorithm: String, options: [String]) throws {
        let directory = TemporaryDirectory()
        let request = try Self.request(algorithm, options, in: directory)
        #expect {
            try AgentCertificateIssuer.check(requestDER: request)
        } throws: { error in
            if case .invalidRequest = error as? CertificateError { return true }
            return false
        }
    }

    @Test func anIssuedCertificatePassesOnlyForItsOwnNameKeyAndCA() throws {
        let (directory, ca) = try AgentCertificateIssuerTests.authority()
        defer { _ = directory }
        let (otherDirectory, otherCA) = try AgentCertificateIssuerTests.authority()
        defer { _ = otherDirectory }
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey)
        let now = Int64(Date().timeIntervalSince1970)
        let made = try CertificateRequest.make(name: "node-1")
        let certificate = try issuer.issue(requestDER: made.der, name: "node-1", nowUnixSeconds: now)
        let authority = Array(try #require(FileManager.default.contents(atPath: ca.certificate)))
        let other = Array(try #require(FileManager.default.contents(atPath: otherCA.certificate)))

        let info = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: made.privateKeyPEM,
                                                     authorityPEM: authority, expectedName: "node-1", nowUnixSeconds: now)
        #expect(info.identity == (try NodeIdentity(role: .agent, name: "node-1")))
        #expect {
            _ = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: made.privateKeyPEM,
                                                  authorityPEM: authority, expectedName: "node-2", nowUnixSeconds: now)
        } throws: { error in
            if case .wrongName = error as? CertificateError { return true }
            return false
        }
        let otherKey = try CertificateRequest.make(name: "node-1").privateKeyPEM
        #expect {
            _ = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: otherKey,
                                                  authorityPEM: authority, expectedName: "node-1", nowUnixSeconds: now)
        } throws: { error in
            if case .keyMismatch = error as? CertificateError { return true }
            return false
        }
        #expect {
            _ = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: made.privateKeyPEM,
                                                  authorityPEM: other, expectedName: "node-1", nowUnixSeconds: now)
        } throws: { error in
            if case .notSignedByCA = error as? CertificateError { return true }
            return false
        }
    }

    /// Should-fix 5: an agent clock up to the 5-minute backdating behind the issuer's still takes the
    /// certificate (enrollment would burn its token otherwise); one further behind does not.
    @Test func anAgentClockBehindByTheBackdatingIsAllowedOnNotBeforeOnly() throws {
        let (directory, ca) = try AgentCertificateIssuerTests.authority()
        defer { _ = directory }
        let issuer = try AgentCertificateIssuer(certificatePath: ca.certificate, keyPath: ca.privateKey, lifetimeSeconds: 600)
        let issuedAt = Int64(Date().timeIntervalSince1970) + 3_600
        let made = try CertificateRequest.make(name: "node-1")
        let certificate = try issuer.issue(requestDER: made.der, name: "node-1", nowUnixSeconds: issuedAt)
        let authority = Array(try #require(FileManager.default.contents(atPath: ca.certificate)))
        func check(at now: Int64) throws {
            _ = try IssuedCertificateCheck.verify(certificatePEM: certificate, privateKeyPEM: made.privateKeyPEM,
                                                  authorityPEM: authority, expectedName: "node-1", nowUnixSeconds: now)
        }
        // notBefore is issuedAt - 300: a clock 600 s behind the issuer's sees it 300 s ahead.
        try check(at: issuedAt - 600)
        #expect(throws: CertificateError.self) { try check(at: issuedAt - 601) }
        #expect(throws: CertificateError.self) { try check(at: issuedAt + 601) }
    }
}
