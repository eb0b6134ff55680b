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
