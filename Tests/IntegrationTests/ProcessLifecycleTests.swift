import Certificates
import Foundation
import Testing
import TestSupport

/// Start-up refusals, graceful SIGTERM, and certificate reload on SIGHUP, on a
/// real coordinator process.
@Suite(.serialized)
struct ProcessLifecycleTests {
    /// The log of a coordinator that refused to start. A refusal exits 1; a usage error
    /// (exit 2) or a crash is not one, and fails the test.
    private func startFailure(_ certificates: CertificateFixture, name: String = "c1",
                              tlsDirectory: String? = nil, peerPort: Int = 0, extraArguments: [String] = []) throws -> String {
        do {
            _ = try CoordinatorProcess(name: name, tlsDirectory: tlsDirectory ?? certificates.tlsDirectory, peerPort: peerPort,
                                       extraArguments: extraArguments)
        } catch let failure as CoordinatorProcess.StartFailure {
            #expect(failure.status == 1, "\(failure)")
            return failure.log
        }
        Issue.record("coordinator started but should have refused")
        return ""
    }

    @Test func refusesToStartWithoutItsCertificate() throws {
        let certificates = try CertificateFixture()
        let log = try startFailure(certificates, name: "c9")
        let path = "\(certificates.tlsDirectory)/c9.pem"
        #expect(log.contains("\(path) does not exist; check the path or create it with `hotswap certs`."), "\(log)")
    }

    @Test func refusesToStartWithAnAgentCertificate() throws {
        let certificates = try CertificateFixture()
        let log = try startFailure(certificates, name: "node-1")
        let path = "\(certificates.tlsDirectory)/node-1.pem"
        #expect(log.contains("\(path) is issued for role agent but this process needs role coordinator; "
            + "issue a certificate with role coordinator."), "\(log)")
    }

    @Test func refusesToStartWithAnExpiredCertificate() throws {
        let certificates = try CertificateFixture()
        let now = Int64(Date().timeIntervalSince1970)
        _ = try CertificateAuthority.issue(directory: certificates.tlsDirectory,
                                           identity: NodeIdentity(role: .coordinator, name: "old"),
                                           ipAddresses: ["127.0.0.1"], dnsNames: [],
                                           notBefore: now - 10 * 86_400, notAfter: now - 86_400)
        let log = try startFailure(certificates, name: "old")
        #expect(log.contains("\(certificates.tlsDirectory)/old.pem expired at "), "\(log)")
        #expect(log.contains("; issue a new certificate."), "\(log)")
    }

    @Test func refusesToStartWithACertificateFromAnotherCA() throws {
        let certificates = try CertificateFixture()
        let mixed = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: certificates.ca, toPath: mixed.file("ca.pem"))
        try FileManager.default.copyItem(atPath: certificates.foreign.file("c1.pem"), toPath: mixed.file("c1.pem"))
        try FileManager.default.copyItem(atPath: certificates.foreign.file("c1.key"), toPath: mixed.file("c1.key"))
        let log = try startFailure(certificates, tlsDirectory: mixed.path)
        #expect(log.contains("\(mixed.file("c1.pem")) is not signed by the cluster CA"), "\(log)")
    }

    /// A webhook CA the operator named is meant to be used: one that cannot be loaded stops the
    /// start rather than failing every https delivery later.
    @Test func refusesToStartWithAnApprovalWebhookCAThatCannotBeLoaded() throws {
        let certificates = try CertificateFixture()
        let missing = certificates.tlsDirectory + "/no-such-ca.pem"
        let log = try startFailure(certificates, extraArguments: ["--approval-webhook-ca", missing])
        #expect(log.contains("loading CA \(missing)"), "\(log)")
    }

    /// Listeners bind with SO_REUSEPORT; without the check the second would
    /// start and take a share of the first one's peer connections.
    @Test func aPortAnotherCoordinatorListensOnIsRefusedAtStart() throws {
        let certificates = try CertificateFixture()
        let first = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let log = try startFailure(certificates, peerPort: first.peerPort)
        #expect(log.contains("127.0.0.1:\(first.peerPort) (another listener holds it)"), "\(log)")
        #expect(first.process.isRunning)
    }

    @Test func sigtermDrainsAndExitsZero() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                       ca: certificates.ca)
        let (held, _) = client.open(port: coordinator.agentPort, greeting: TestFrames.ping("held"))
        #expect(eventually { held.receivedText.contains("held") })
        #expect(coordinator.stop(with: SIGTERM) == 0, "\(coordinator.log.text)")
        #expect(held.isClosed || eventually { held.isClosed })
        #expect(coordinator.log.text.contains("coordinator stopped"))
    }

    @Test func sighupReloadKeepsOpenConnectionsAndServesTheNewCertificate() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                       ca: certificates.ca)
        let (held, connection) = client.open(port: coordinator.agentPort, greeting: TestFrames.ping("before"))
        #expect(eventually { held.receivedText.contains("before") })

        let staging = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: certificates.directory.file("ca.key"), toPath: staging.file("ca.key"))
        try FileManager.default.copyItem(atPath: certificates.ca, toPath: staging.file("ca.pem"))
        try CertificateFixture.hotswap(["certs", "issue", "--dir", staging.path, "--role", "coordinator", "--name", "c1",
                                        "--ip", "127.0.0.1", "--days", "2"])
        for file in ["c1.pem", "c1.key"] {
            #expect(rename(staging.file(file), certificates.directory.file(file)) == 0, "rename \(file): errno \(errno)")
        }
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { coordinator.log.text.contains("certificates reloaded") })

        if let connection { client.write(TestFrames.ping("after"), on: connection) }
        #expect(eventually { held.receivedText.contains("after") }, "open connection dropped by reload")
        let served = try ExternalCommand.run(["sh", "-c", "openssl s_client -connect 127.0.0.1:\(coordinator.apiPort) "
                                                  + "-CAfile \(certificates.ca) </dev/null 2>/dev/null | openssl x509 -noout -enddate"])
        let expected = try ExternalCommand.run(["openssl", "x509", "-noout", "-enddate", "-in", certificates.certificate("c1")])
        #expect(served.standardOutput == expected.standardOutput, "new connections still get the old certificate")
    }

    @Test func failedReloadKeepsServingWithTheOldCertificate() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        try "not a key".write(toFile: certificates.key("c1"), atomically: true, encoding: .utf8)
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { coordinator.log.text.contains("certificate reload failed") })
        let output = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/healthz"])
        #expect(output.standardOutput.contains(#""status":"ok""#), "\(output.combined)")
    }
}
