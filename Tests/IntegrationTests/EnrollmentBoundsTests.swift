import Foundation
import Testing
import TestSupport

/// The bounds on the enrolling agent port's connections without a certificate (Docs/CERTIFICATES.md,
/// "Enrollment"), with real processes: a source holds at most 4 at once, one over is closed at
/// once and counted, and an agent with a certificate from that same source still reports; each
/// lasts 10 s at most; none is given a session to resume; and an agent pinned to its CA refuses a
/// coordinator that serves another CA, alone or beside the pinned one, before its token leaves.
@Suite(.serialized) struct EnrollmentBoundsTests {
    /// A fifth connection is refused only while four are held, so each refusal below proves the four
    /// were open at that moment, whatever the machine's speed. The agent's session is then up while
    /// the source fills again: had it been counted, the fourth of the new ones would be refused.
    @Test func aSourceHoldsFourConnectionsWithoutACertificateAndAnAgentFromItStillReports() throws {
        let certificates = try CertificateFixture()
        let coordinator = try AgentEnrollmentTests.enrollingCoordinator(certificates)
        let metrics = MetricsScraper(ca: certificates.ca, url: coordinator.apiURL)
        let client = try TestTLSClient(certificate: nil, key: nil, ca: certificates.ca)
        let refusedHere = "hotswap_transport_certificate_less_refused_total{bound=\"source\",endpoint=\"agent\"}"
        let held = try fillTheSource(client, port: coordinator.agentPort)
        #expect(eventually { metrics.value(refusedHere) == 1 })
        #expect(eventually(timeout: .seconds(60)) { held.allSatisfy { $0.isClosed } }, "the 10 s lifetime did not close them")
        #expect(eventually { coordinator.log.text.contains("the connection's 10.0 seconds ran out") }, "\(coordinator.log.text)")
        #expect(eventually { metrics.value("hotswap_transport_certificate_less_connections{endpoint=\"agent\"}") == 0 })

        let agent = try AgentProcess(name: "node-1", tlsDirectory: certificates.tlsDirectory,
                                     coordinators: ["127.0.0.1:\(coordinator.agentPort)"], extraArguments: ["--interval", "200ms"])
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(eventually {
            let listed = (try? run(["nodes", "-o", "json"]))?.standardOutput ?? ""
            return listed.contains("node-1") && listed.contains("\"live\"")
        }, "an agent with a certificate did not report: \(agent.log.text)")
        _ = try fillTheSource(client, port: coordinator.agentPort)
        #expect(eventually { metrics.value(refusedHere) == 2 }, "the fifth of the second round was not refused")
        #expect(metrics.value(refusedHere) == 2, "the agent's session took a share of its source's connections without a certificate")
        #expect(metrics.value("hotswap_transport_connections_refused_total{endpoint=\"agent\"}") == 0)
        #expect(agent.stop() == 0)
        #expect(coordinator.stop() == 0)
    }

    /// An enrollment no coordinator answers (nothing listens here; a full bound looks the same to the
    /// agent) is retried inside the process, logged, and SIGTERM still ends the agent while it waits:
    /// its retries would last minutes.
    @Test func anUnansweredEnrollmentIsRetriedInTheProcessAndSIGTERMEndsIt() throws {
        let tls = TemporaryDirectory()
        let data = TemporaryDirectory()
        let agent = try Subprocess([HotSwapBinary.path, "agent", "--name", "edge-1", "--coordinators", "127.0.0.1:1",
                                    "--tls-dir", tls.file("agent-tls"), "--data-dir", data.path,
                                    "--join-token", "0123456789ab." + String(repeating: "c", count: 64),
                                    "--ca-hash", "sha256:" + String(repeating: "d", count: 64)], standardOutput: .null)
        let log = try #require(agent.standardError)
        #expect(eventually { log.text.components(separatedBy: "no coordinator answered; trying again").count > 2 }, "\(log.text)")
        #expect(agent.isRunning, "the agent gave up instead of retrying: \(log.text)")
        agent.terminate()
        #expect(agent.waitUntilExit(timeout: .seconds(20)) != nil, "SIGTERM did not end an agent retrying its enrollment")
    }

    /// Opens four connections without a certificate, each sent the CA bundle, then a fifth, which
    /// must be closed unanswered; returns the four.
    private func fillTheSource(_ client: TestTLSClient, port: Int) throws -> [ClientTranscript] {
        let held = (0..<4).map { _ in client.open(port: port).0 }
        for transcript in held {
            #expect(eventually { !transcript.received.isEmpty }, "a connection within the bound was not sent the CA bundle")
        }
        let (over, _) = client.open(port: port)
        #expect(eventually { over.isClosed }, "a fifth connection without a certificate from one source was kept")
        #expect(over.received.isEmpty)
        return held
    }

    /// `openssl s_client` without a certificate is given no ticket by the agent port, so it has no
    /// TLS 1.3 session to save (`-sess_out`) and offer again: each of its connections is a full
    /// handshake. A frame over 8 KiB from it is refused from its length field, never decoded.
    @Test func aConnectionWithoutACertificateIsGivenNoSessionAndNoRoomForALargeFrame() throws {
        try Prerequisite.requireTools("openssl")
        let certificates = try CertificateFixture()
        let coordinator = try AgentEnrollmentTests.enrollingCoordinator(certificates)
        let session = certificates.directory.file("anonymous.session")
        let client = ["openssl", "s_client", "-connect", "127.0.0.1:\(coordinator.agentPort)", "-CAfile", certificates.ca,
                      "-tls1_3", "-verify_return_error", "-ign_eof"]
        // A ping is not an enrollment request: the port closes the connection, so s_client has read
        // whatever came after the handshake (a ticket would have) before it saves the session.
        let ping = SClient.pingFrame(Array(SClient.pingPayload.utf8))
        let first = try ExternalCommand.run(client + ["-sess_out", session], input: ping)
        #expect(first.standardOutput.contains("New, TLSv1.3"), "\(first.combined)")
        #expect(!FileManager.default.fileExists(atPath: session), "s_client was given a session to resume: \(first.combined)")
        let second = try ExternalCommand.run(client, input: ping)
        #expect(second.standardOutput.contains("New, TLSv1.3"), "\(second.combined)")
        let resumed = MetricsScraper(ca: certificates.ca, url: coordinator.apiURL)
            .value("hotswap_transport_handshakes_resumed_total{endpoint=\"agent\"}")
        #expect(resumed == 0)

        let large = SClient.pingFrame([UInt8](repeating: 0x41, count: 9_000)).enumerated().map { $0.offset == 5 ? 19 : $0.element }
        _ = try ExternalCommand.run(client, input: Data(large))
        #expect(eventually { coordinator.log.text.contains("frame declares 9002 bytes but at most 8192 are accepted") },
                "\(coordinator.log.text)")
        #expect(!coordinator.log.text.contains("enrollment refused"), "the oversized request was decoded")
        #expect(coordinator.stop() == 0)
    }

    /// A man in the middle with its own CA and `--signing-key` (a second `hotswap certs` CA): an agent
    /// given the real cluster's token and `--ca-hash` stops before the token leaves, whether the
    /// impostor serves only its CA or the real one beside it.
    @Test func anAgentPinnedToTheClusterCARefusesACoordinatorServingAnotherCA() throws {
        let real = try CertificateFixture(agents: [])
        let cluster = try AgentEnrollmentTests.enrollingCoordinator(real)
        let (token, pin) = try AgentEnrollmentTests.makeToken(uses: 1, on: cluster, real)
        let impostor = try CertificateFixture(agents: [])
        try expectRefusedBeforeTheToken(at: impostor, token: token, pin: pin)

        let bundle = try Data(contentsOf: URL(fileURLWithPath: impostor.ca)) + Data(contentsOf: URL(fileURLWithPath: real.ca))
        try bundle.write(to: URL(fileURLWithPath: impostor.ca))
        try expectRefusedBeforeTheToken(at: impostor, token: token, pin: pin)

        let listed = try EnvironmentCommandTests.hotswap(["tokens", "list"], on: cluster, ca: real.ca)
        let row = listed.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            .first { $0.first == String(token.prefix(12)) }
        #expect(row?.dropFirst().first == "1", "the real token's use was taken: \(listed.combined)")
        #expect(cluster.stop() == 0)
    }

    /// Starts an enrolling coordinator on `impostor`'s directory, points the agent at it, and checks
    /// that the agent stopped on the pin and that the impostor never got an enrollment request.
    private func expectRefusedBeforeTheToken(at impostor: CertificateFixture, token: String, pin: String) throws {
        let coordinator = try AgentEnrollmentTests.enrollingCoordinator(impostor)
        let tls = TemporaryDirectory()
        let refused = try ExternalCommand.run([HotSwapBinary.agentPath, "--name", "edge-1", "--coordinators",
                                               "127.0.0.1:\(coordinator.agentPort)", "--tls-dir", tls.file("tls"),
                                               "--data-dir", tls.file("data"), "--join-token", token, "--ca-hash", pin])
        #expect(refused.status == 1 && refused.standardError.contains("not the --ca-hash \(pin)")
                && refused.standardError.contains("the join token was not sent"), "\(refused.combined)")
        #expect(!FileManager.default.fileExists(atPath: tls.file("tls") + "/edge-1.pem"))
        let metrics = try coordinator.request("GET", "/metrics").body
        #expect(metrics.contains("hotswap_enrollments_total{outcome=\"refused\"} 0")
                && metrics.contains("hotswap_enrollments_total{outcome=\"issued\"} 0")
                && metrics.contains("hotswap_enrollment_frames_refused_total 0"), "the impostor heard a request: \(metrics)")
        #expect(!coordinator.log.text.contains("enrollment refused"), "\(coordinator.log.text)")
        #expect(coordinator.stop() == 0)
    }
}
