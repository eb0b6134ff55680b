import Certificates
import Foundation
import Testing
import TestSupport

/// SIGHUP runs the start-up certificate check before it swaps anything: a
/// real coordinator given an unreadable, mismatched, expired, foreign-CA or
/// wrong-role certificate keeps serving the old one (what `openssl s_client`
/// is shown), logs what failed and counts it in
/// `hotswap_certificate_reload_failures_total`; a good one is then picked up, and
/// `hotswap_certificate_not_after_timestamp_seconds` follows the certificate in use.
@Suite(.serialized)
struct CertificateReloadTests {
    /// One bad replacement of c1's certificate and key, and the text its refusal must contain.
    struct BadCase: CustomStringConvertible, Sendable {
        let description: String
        let expected: String
        let install: @Sendable (_ certificates: CertificateFixture, _ staging: TemporaryDirectory) throws -> Void
    }

    static let cases: [BadCase] = [
        BadCase(description: "broken", expected: "not a PEM certificate") { certificates, _ in
            try "not a certificate".write(toFile: certificates.certificate("c1"), atomically: true, encoding: .utf8)
        },
        BadCase(description: "mismatched key", expected: "is not the private key of") { certificates, _ in
            try replace(certificates.key("c1"), with: certificates.key("node-1"))
        },
        BadCase(description: "expired", expected: "expired at") { certificates, staging in
            let now = Int64(Date().timeIntervalSince1970)
            _ = try CertificateAuthority.issue(directory: staging.path, identity: NodeIdentity(role: .coordinator, name: "c1"),
                                               ipAddresses: ["127.0.0.1"], dnsNames: [],
                                               notBefore: now - 10 * 86_400, notAfter: now - 86_400)
            try installStaged(certificates, staging)
        },
        BadCase(description: "another CA", expected: "is not signed by the cluster CA") { certificates, _ in
            try replace(certificates.certificate("c1"), with: certificates.foreign.file("c1.pem"))
            try replace(certificates.key("c1"), with: certificates.foreign.file("c1.key"))
        },
        BadCase(description: "wrong role", expected: "is issued for role agent") { certificates, staging in
            _ = try CertificateAuthority.issue(directory: staging.path, identity: NodeIdentity(role: .agent, name: "c1"),
                                               ipAddresses: ["127.0.0.1"], dnsNames: [])
            try installStaged(certificates, staging)
        },
    ]

    @Test func aRefusedReloadKeepsTheOldCertificateAndAGoodOneIsPickedUp() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let original = TemporaryDirectory()
        for file in ["c1.pem", "c1.key"] {
            try FileManager.default.copyItem(atPath: certificates.directory.file(file), toPath: original.file(file))
        }
        let originalFingerprint = try fingerprint(ofFile: original.file("c1.pem"))
        #expect(try served(coordinator, certificates) == originalFingerprint)
        let originalNotAfter = Double(try CertificateInfo.load(path: original.file("c1.pem")).notAfter)
        #expect(try notAfter(coordinator, certificates) == originalNotAfter)

        for (index, bad) in Self.cases.enumerated() {
            try bad.install(certificates, try Self.staging(certificates))
            kill(coordinator.pid, SIGHUP)
            #expect(eventually { coordinator.log.text.components(separatedBy: "certificate reload failed").count == index + 2 },
                    "\(bad): no refusal logged:\n\(coordinator.log.text)")
            let refusal = coordinator.log.text.split(separator: "\n").last { $0.contains("certificate reload failed") } ?? ""
            #expect(refusal.contains(bad.expected), "\(bad): \(refusal)")
            #expect(try served(coordinator, certificates) == originalFingerprint, "\(bad): the old certificate is not served")
            #expect(try failureCount(coordinator, certificates) == index + 1, "\(bad)")
            #expect(try notAfter(coordinator, certificates) == originalNotAfter, "\(bad)")
            for file in ["c1.pem", "c1.key"] { try Self.replace(certificates.directory.file(file), with: original.file(file)) }
        }

        let staging = try Self.staging(certificates)
        _ = try CertificateAuthority.issue(directory: staging.path, identity: NodeIdentity(role: .coordinator, name: "c1"),
                                           ipAddresses: ["127.0.0.1"], dnsNames: ["localhost"], validityDays: 2)
        try Self.installStaged(certificates, staging)
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { coordinator.log.text.contains("certificates reloaded") }, "\(coordinator.log.text)")
        let renewed = try fingerprint(ofFile: certificates.certificate("c1"))
        #expect(renewed != originalFingerprint)
        #expect(try served(coordinator, certificates) == renewed, "the good certificate was not picked up")
        #expect(try failureCount(coordinator, certificates) == Self.cases.count)
        let renewedNotAfter = Double(try CertificateInfo.load(path: certificates.certificate("c1")).notAfter)
        #expect(renewedNotAfter < originalNotAfter, "the renewal is valid for 2 days, the original for a year")
        #expect(try notAfter(coordinator, certificates) == renewedNotAfter)
    }

    /// With `--signing-key`, a reload rebuilds the agent certificate issuer: a key of another CA is refused like any
    /// other bad reload (counted, the old issuer kept); the right one back, an agent still enrolls.
    @Test func aSigningKeyOfAnotherCAFailsTheReloadAndTheIssuerStillSigns() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try AgentEnrollmentTests.enrollingCoordinator(certificates)
        let key = certificates.tlsDirectory + "/ca.key"
        let original = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: key, toPath: original.file("ca.key"))
        try Self.replace(key, with: certificates.foreign.file("ca.key"))
        #expect(chmod(key, 0o440) == 0)
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { coordinator.log.text.contains("certificate reload failed") }, "\(coordinator.log.text)")
        let refusal = coordinator.log.text.split(separator: "\n").last { $0.contains("certificate reload failed") } ?? ""
        #expect(refusal.contains("is not the private key of"), "\(refusal)")
        #expect(try failureCount(coordinator, certificates) == 1)

        try Self.replace(key, with: original.file("ca.key"))
        #expect(chmod(key, 0o440) == 0)
        kill(coordinator.pid, SIGHUP)
        #expect(eventually { coordinator.log.text.contains("certificates reloaded") }, "\(coordinator.log.text)")
        let (token, pin) = try AgentEnrollmentTests.makeToken(uses: 1, on: coordinator, certificates)
        let agentTLS = TemporaryDirectory()
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: agentTLS.file("tls"),
                                     coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--join-token", token, "--ca-hash", pin])
        #expect(eventually { coordinator.log.text.contains("agent enrolled") }, "\(agent.log.text)")
        let verified = try ExternalCommand.run(["openssl", "verify", "-CAfile", certificates.ca, agentTLS.file("tls") + "/edge-1.pem"])
        #expect(verified.status == 0, "\(verified.combined)")
        #expect(try failureCount(coordinator, certificates) == 1)
        #expect(agent.stop() == 0)
    }

    /// A directory holding the fixture's CA, to issue replacements signed by it.
    private static func staging(_ certificates: CertificateFixture) throws -> TemporaryDirectory {
        let staging = TemporaryDirectory()
        for file in ["ca.pem", "ca.key"] {
            try FileManager.default.copyItem(atPath: certificates.directory.file(file), toPath: staging.file(file))
        }
        return staging
    }

    /// Moves the staged c1.pem and c1.key over the coordinator's.
    private static func installStaged(_ certificates: CertificateFixture, _ staging: TemporaryDirectory) throws {
        for file in ["c1.pem", "c1.key"] {
            try replace(certificates.directory.file(file), with: staging.file(file))
        }
    }

    /// Writes `source`'s bytes over `path` in one rename, as a deployment tool would.
    static func replace(_ path: String, with source: String) throws {
        let contents = try Data(contentsOf: URL(fileURLWithPath: source))
        try contents.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    private func fingerprint(ofFile path: String) throws -> String {
        let output = try ExternalCommand.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", path])
        #expect(output.status == 0, "\(output.combined)")
        return output.standardOutput
    }

    /// The fingerprint of the certificate a new TLS connection to the API is shown.
    private func served(_ coordinator: CoordinatorProcess, _ certificates: CertificateFixture) throws -> String {
        let output = try ExternalCommand.run(["sh", "-c", "openssl s_client -connect 127.0.0.1:\(coordinator.apiPort) "
                                                  + "-CAfile \(certificates.ca) </dev/null 2>/dev/null "
                                                  + "| openssl x509 -noout -fingerprint -sha256"])
        return output.standardOutput
    }

    private func notAfter(_ coordinator: CoordinatorProcess, _ certificates: CertificateFixture) throws -> Double? {
        MetricsScraper(ca: certificates.ca, url: coordinator.apiURL).value("hotswap_certificate_not_after_timestamp_seconds")
    }

    private func failureCount(_ coordinator: CoordinatorProcess, _ certificates: CertificateFixture) throws -> Int? {
        let output = try ExternalCommand.run(["curl", "-sS", "--cacert", certificates.ca, "\(coordinator.apiURL)/metrics"])
        let line = output.standardOutput.split(separator: "\n").first { $0.hasPrefix("hotswap_certificate_reload_failures_total ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }
}
