import Certificates
import Foundation
import Testing
import TestSupport

/// Certificate renewal with real processes (Docs/CERTIFICATES.md, "Renewal"): a coordinator that
/// issues one-minute certificates (`--agent-certificate-lifetime 60s`) and an agent enrolled with a
/// token; the agent renews on its session, without a token, reconnects with the new certificate,
/// and renews that one again after the first has expired.
@Suite(.serialized) struct AgentRenewalTests {
    @Test func anEnrolledAgentRenewsBeforeExpiryAndKeepsReportingPastTheFirstNotAfter() throws {
        try Prerequisite.requireTools("openssl")
        let certificates = try CertificateFixture(agents: [])
        let key = certificates.tlsDirectory + "/ca.key"
        #expect(chmod(key, 0o440) == 0)
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory,
                                                 extraArguments: ["--signing-key", key, "--agent-certificate-lifetime", "60s"])
        let (token, pin) = try AgentEnrollmentTests.makeToken(uses: 1, on: coordinator, certificates)
        let directory = TemporaryDirectory()
        let tls = directory.file("agent-tls")
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: tls, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--join-token", token, "--ca-hash", pin])
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(eventually { (try? run(["nodes", "-o", "json"]))?.standardOutput.contains("edge-1") == true }, "\(agent.log.text)")
        let first = try Self.serialAndNotAfter(tls + "/edge-1.pem")
        try FileManager.default.copyItem(atPath: tls + "/edge-1.pem", toPath: directory.file("first.pem"))

        // The first renewal comes two thirds into the minute; its certificate is another one, for the same identity.
        #expect(eventually(timeout: .seconds(120), every: .milliseconds(200)) {
            (try? Self.serialAndNotAfter(tls + "/edge-1.pem")).map { $0.serial != first.serial } == true
        }, "\(agent.log.text)")
        let second = try Self.serialAndNotAfter(tls + "/edge-1.pem")
        #expect(second.notAfter != first.notAfter)
        let shown = try ExternalCommand.run(["openssl", "x509", "-in", tls + "/edge-1.pem", "-noout", "-ext", "subjectAltName"])
        #expect(shown.standardOutput.contains("URI:hotswap://agent/edge-1"), "\(shown.combined)")
        let verified = try ExternalCommand.run(["openssl", "verify", "-CAfile", certificates.ca, tls + "/edge-1.pem"])
        #expect(verified.status == 0, "\(verified.combined)")

        // A second renewal is asked on a session that presents the renewed certificate (the coordinator judges the
        // window of the session's certificate); it comes after the first certificate expired.
        #expect(eventually(timeout: .seconds(120), every: .milliseconds(200)) {
            (try? Self.serialAndNotAfter(tls + "/edge-1.pem")).map { $0.serial != second.serial && $0.serial != first.serial } == true
        }, "\(agent.log.text)")
        let firstExpired = try ExternalCommand.run(["openssl", "x509", "-in", directory.file("first.pem"), "-noout", "-checkend", "0"])
        #expect(firstExpired.status == 1, "the first certificate has not expired yet: \(firstExpired.combined)")
        #expect(eventually {
            (try? coordinator.request("GET", "/metrics"))?.body.contains("hotswap_certificate_renewals_total{outcome=\"issued\"} 2")
                == true
        })
        #expect(eventually(timeout: .seconds(30)) {
            guard let listed = try? run(["nodes", "-o", "json"]).standardOutput else { return false }
            return listed.contains("\"status\":\"live\"")
        })
        #expect(coordinator.log.text.contains("agent certificate renewed"))
        #expect(!coordinator.log.text.contains("certificate renewal refused"), "\(coordinator.log.text)")
        #expect(agent.stop() == 0)
        #expect(coordinator.stop() == 0)
    }

    /// A coordinator without `--signing-key` refuses a renewal and keeps the session: an agent whose certificate
    /// (made with the CA, not enrolled) is in its window goes on reporting, its files untouched.
    @Test func aCoordinatorThatDoesNotSignRefusesTheRenewalAndKeepsTheSession() throws {
        let certificates = try CertificateFixture(agents: [])
        let now = Int64(Date().timeIntervalSince1970)
        // Issued (backdating aside) 2,700 s ago, valid 300 s more: the window opened 700 s ago, so the
        // agent's jittered start (first half of the window, up to 200 s ago) has passed.
        _ = try CertificateAuthority.issue(directory: certificates.tlsDirectory, identity: NodeIdentity(role: .agent, name: "edge-1"),
                                           ipAddresses: [], dnsNames: [], notBefore: now - 3_000, notAfter: now + 300)
        let before = try Self.serialAndNotAfter(certificates.tlsDirectory + "/edge-1.pem")
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let agent = try AgentProcess(name: "edge-1", tlsDirectory: certificates.tlsDirectory,
                                     coordinators: ["127.0.0.1:\(coordinator.agentPort)"], extraArguments: ["--interval", "200ms"])
        #expect(eventually { agent.log.text.contains("this coordinator signs no certificates") }, "\(agent.log.text)")
        let listed = try EnvironmentCommandTests.hotswap(["nodes", "-o", "json"], on: coordinator, ca: certificates.ca)
        #expect(listed.standardOutput.contains("\"status\":\"live\""), "\(listed.combined)")
        #expect(!agent.log.text.contains("closing the coordinator connection"), "\(agent.log.text)")
        #expect(try Self.serialAndNotAfter(certificates.tlsDirectory + "/edge-1.pem") == before)
        #expect(agent.stop() == 0)
        #expect(coordinator.stop() == 0)
    }

    struct Unreadable: Error, CustomStringConvertible {
        let description: String
    }

    /// The serial and notAfter `openssl x509` reads from `path`.
    static func serialAndNotAfter(_ path: String) throws -> (serial: String, notAfter: String) {
        let shown = try ExternalCommand.run(["openssl", "x509", "-in", path, "-noout", "-serial", "-enddate"])
        var fields: [String: String] = [:]
        for line in shown.standardOutput.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard shown.status == 0, let serial = fields["serial"], let notAfter = fields["notAfter"] else {
            throw Unreadable(description: shown.combined)
        }
        return (serial, notAfter)
    }
}
