import Foundation
import Testing

@testable import Certificates
import TestSupport

/// A CA file that holds several CAs, as it does during a rotation: the start-up and
/// SIGHUP check trusts every one of them and judges the validity of the one the
/// chain ends at.
@Suite struct CertificateBundleTests {
    private func bundle(_ fixture: VerifierFixture, _ files: [String]) throws -> String {
        let text = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        try fixture.directory.write("bundle.pem", text)
        return fixture.directory.file("bundle.pem")
    }

    @Test func aCertificateOfEitherCAInTheBundleIsAccepted() throws {
        let fixture = try VerifierFixture()
        let other = try VerifierFixture()
        for order in [[other.ca.certificate, fixture.ca.certificate], [fixture.ca.certificate, other.ca.certificate]] {
            let path = try bundle(fixture, order)
            #expect(try fixture.verify(fixture.agent, role: .agent, name: "a1", caPath: path).identity?.name == "a1")
            #expect(try fixture.verify(other.agent, role: .agent, name: "a1", caPath: path).identity?.name == "a1")
        }
    }

    @Test func onlyTheAnchorTheChainEndsAtMustBeValid() throws {
        let fixture = try VerifierFixture()
        let shortLived = TemporaryDirectory()
        let retiring = try CertificateAuthority.initialize(directory: shortLived.path, validityDays: 1)
        let retiringAgent = try CertificateAuthority.issue(
            directory: shortLived.path, identity: NodeIdentity(role: .agent, name: "a1"), ipAddresses: [], dnsNames: [])
        let path = try bundle(fixture, [retiring.certificate, fixture.ca.certificate])
        let afterRetirement = try CertificateInfo.load(path: retiring.certificate).notAfter + 1
        #expect(try fixture.verify(fixture.agent, role: .agent, name: "a1", caPath: path, at: afterRetirement)
            .identity?.name == "a1")
        #expect(throws: CertificateError.expired(path, notAfter: UnixTime.text(afterRetirement - 1))) {
            try fixture.verify(retiringAgent, role: .agent, name: "a1", caPath: path, at: afterRetirement)
        }
    }

    /// A CA renewed with its own key and subject: OpenSSL cannot tell the two apart by
    /// name or key identifier, so the check must choose the one valid now.
    @Test func ofACARenewedWithTheSameKeyTheOneValidNowIsTheAnchor() throws {
        let fixture = try VerifierFixture()
        let shortLived = TemporaryDirectory()
        let retiring = try CertificateAuthority.initialize(directory: shortLived.path, validityDays: 1)
        let agent = try CertificateAuthority.issue(
            directory: shortLived.path, identity: NodeIdentity(role: .agent, name: "a1"), ipAddresses: [], dnsNames: [])
        let renewal = try OpenSSLCommand.run([
            "x509", "-in", "ca.pem", "-signkey", "ca.key", "-days", "30", "-out", "renewed.pem",
        ], in: shortLived.path)
        #expect(renewal.status == 0, "\(renewal.errorOutput)")
        let path = try bundle(fixture, [retiring.certificate, shortLived.file("renewed.pem")])
        let afterRetirement = try CertificateInfo.load(path: retiring.certificate).notAfter + 1
        let renewedNotAfter = try CertificateInfo.load(path: shortLived.file("renewed.pem")).notAfter
        #expect(try fixture.verify(agent, role: .agent, name: "a1", caPath: path, at: afterRetirement).notAfter > 0)
        do {
            _ = try fixture.verify(agent, role: .agent, name: "a1", caPath: path, at: renewedNotAfter + 1)
            Issue.record("accepted once both CAs had expired")
        } catch {
            guard case .expired(let expiredPath, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(expiredPath == path, "once both expired, the CA is named")
        }
    }

    @Test func aBlockThatDoesNotParseMakesTheBundleUnreadable() throws {
        let fixture = try VerifierFixture()
        let good = try String(contentsOfFile: fixture.ca.certificate, encoding: .utf8)
        try fixture.directory.write("broken.pem", good + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        do {
            _ = try fixture.verify(fixture.agent, role: .agent, name: "a1", caPath: fixture.directory.file("broken.pem"))
            Issue.record("a bundle with a broken block was accepted")
        } catch {
            guard case .unreadable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == fixture.directory.file("broken.pem"))
            #expect(reason.hasPrefix("a certificate in it does not parse"))
        }
    }
}
