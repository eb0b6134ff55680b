import Certificates
import Foundation
import Testing
import TestSupport

/// The peer and agent ports demand a certificate from the cluster CA with the
/// right role; the real `openssl s_client` is the client.
@Suite(.serialized)
struct MutualTLSPolicyTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess

    init() throws {
        certificates = try CertificateFixture()
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                             extraArguments: ["--frame-idle-timeout", "1s"])
    }

    @Test func agentCertificateIsServedOnTheAgentPort() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca,
                                       certificate: certificates.certificate("node-1"), key: certificates.key("node-1"))
        #expect(attempt.gotPong, "\(attempt.output.combined)")
    }

    @Test func agentCertificateIsRefusedOnThePeerPort() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.peerPort, ca: certificates.ca,
                                       certificate: certificates.certificate("node-1"), key: certificates.key("node-1"))
        #expect(!attempt.gotPong)
        #expect(attempt.output.standardError.contains("alert"), "\(attempt.output.combined)")
        #expect(eventually { coordinator.log.text.contains("only coordinators may") })
    }

    @Test func coordinatorCertificateIsRefusedOnTheAgentPort() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca,
                                       certificate: certificates.certificate("c1"), key: certificates.key("c1"))
        #expect(!attempt.gotPong)
        #expect(eventually { coordinator.log.text.contains("only agents may") })
    }

    /// The peer port's first frame must be a member's ping showing the cluster's identity.
    @Test func coordinatorCertificateIsServedOnThePeerPort() throws {
        try Prerequisite.requireTools("openssl")
        let ping = try ClusterFixture.memberPing(log: coordinator.log.text)
        let attempt = try SClient.ping(port: coordinator.peerPort, ca: certificates.ca,
                                       certificate: certificates.certificate("c1"), key: certificates.key("c1"), payload: ping)
        #expect(attempt.output.standardOutput.contains("hotswap-keepalive"), "\(attempt.output.combined)")
    }

    @Test func connectionWithoutCertificateIsRefused() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca)
        #expect(!attempt.gotPong)
        #expect(attempt.output.standardError.contains("alert"), "\(attempt.output.combined)")
    }

    @Test func certificateFromAnotherCAIsRefused() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca,
                                       certificate: certificates.foreign.file("node-1.pem"),
                                       key: certificates.foreign.file("node-1.key"))
        #expect(!attempt.gotPong)
        #expect(attempt.output.standardError.contains("alert"), "\(attempt.output.combined)")
    }

    @Test func expiredCertificateIsRefused() throws {
        try Prerequisite.requireTools("openssl")
        let now = Int64(Date().timeIntervalSince1970)
        let paths = try CertificateAuthority.issue(
            directory: certificates.tlsDirectory, identity: NodeIdentity(role: .agent, name: "expired-node"),
            ipAddresses: [], dnsNames: [], notBefore: now - 7 * 86_400, notAfter: now - 86_400)
        let attempt = try SClient.ping(port: coordinator.agentPort, ca: certificates.ca,
                                       certificate: paths.certificate, key: paths.privateKey)
        #expect(!attempt.gotPong)
        #expect(attempt.output.standardError.contains("expired"), "\(attempt.output.combined)")
    }

    @Test func tls11IsRefused() throws {
        try Prerequisite.requireTools("openssl")
        let attempt = try SClient.ping(port: coordinator.apiPort, ca: certificates.ca,
                                       extra: ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(attempt.output.status != 0)
        #expect(attempt.output.standardError.contains("protocol version")
                    || attempt.output.standardError.contains("unsupported protocol"), "\(attempt.output.combined)")
    }

    /// The internal ports speak TLS 1.3 only; the API port still serves a TLS 1.2 client.
    @Test func tls12IsRefusedOnThePeerAndAgentPortsAndServedOnTheAPIPort() throws {
        try Prerequisite.requireTools("openssl")
        for (port, name) in [(coordinator.peerPort, "c1"), (coordinator.agentPort, "node-1")] {
            let attempt = try SClient.ping(port: port, ca: certificates.ca, certificate: certificates.certificate(name),
                                           key: certificates.key(name), extra: ["-tls1_2"])
            #expect(!attempt.gotPong)
            #expect(attempt.output.standardError.contains("protocol version"), "\(attempt.output.combined)")
        }
        let output = try ExternalCommand.run(["openssl", "s_client", "-brief", "-connect", "127.0.0.1:\(coordinator.apiPort)",
                                              "-CAfile", certificates.ca, "-verify_return_error", "-tls1_2"], input: Data())
        #expect(output.combined.contains("Protocol version: TLSv1.2"), "\(output.combined)")
    }

    @Test func tls13IsNegotiatedOnTheAPIPort() throws {
        try Prerequisite.requireTools("openssl")
        let output = try ExternalCommand.run(["openssl", "s_client", "-brief", "-connect", "127.0.0.1:\(coordinator.apiPort)",
                                              "-CAfile", certificates.ca, "-verify_return_error"], input: Data())
        #expect(output.combined.contains("TLSv1.3"), "\(output.combined)")
    }
}
