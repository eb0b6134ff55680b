import Certificates
import Foundation
import Telemetry
import TestSupport
import Testing

/// Real `hotswap agent` processes against a scripted coordinator (a real
/// mutual-TLS server in this process with the fixture's coordinator
/// certificate): fencing across commands and restarts, signals, and the
/// start-up refusals. This is the product's contract, so it runs the binary.
@Suite(.serialized)
struct AgentProcessTests {
    let certificates: CertificateFixture

    init() throws {
        certificates = try CertificateFixture(coordinators: ["c1"], agents: ["node-1"])
    }

    private func coordinator(_ answer: ScriptedCoordinator.HelloAnswer) throws -> ScriptedCoordinator {
        try ScriptedCoordinator(certificatePath: certificates.certificate("c1"), privateKeyPath: certificates.key("c1"),
                                caPath: certificates.ca, answer: answer)
    }

    @Test func aHigherTermReachesTheDiskBeforeItsCommandRunsAndALowerTermIsRefused() throws {
        let coordinator = try coordinator(.welcome(term: 3, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address])
        #expect(eventually { agent.persistedTerm == "3\n" }, "\(agent.log.text)")
        let hello = try #require(coordinator.hellos.first)
        #expect(hello.wasFirstFrame && hello.certificateName == "node-1" && hello.hello.nodeName == "node-1")
        #expect(hello.hello.reportIntervalMilliseconds == 200)

        coordinator.send(AgentCommand(leaderTerm: 2, commandID: 1, action: .setReportInterval(milliseconds: 500)))
        #expect(eventually { coordinator.commandResults.contains { $0.commandID == 1 } })
        #expect(coordinator.commandResults.first { $0.commandID == 1 }?.accepted == false)
        // The agent logs before it answers, but its log reaches this process later.
        #expect(eventually { agent.lines(containing: "refused a command from a deposed leader").count == 1 },
                "\(agent.log.text)")
        #expect(agent.persistedTerm == "3\n")

        coordinator.send(AgentCommand(leaderTerm: 9, commandID: 2, action: .setReportInterval(milliseconds: 300)))
        var termWhenAnswered: String?
        #expect(eventually {
            guard coordinator.commandResults.contains(where: { $0.commandID == 2 }) else { return false }
            termWhenAnswered = agent.persistedTerm
            return true
        })
        #expect(termWhenAnswered == "9\n", "the command was answered before term 9 was on disk")
        #expect(coordinator.commandResults.first { $0.commandID == 2 }?.accepted == true)
        #expect(eventually { agent.log.text.contains("report interval changed by the leader") })
        let text = agent.log.text
        let persisted = try #require(text.range(of: "persisted a higher leader term\" term=9"))
        let applied = try #require(text.range(of: "report interval changed by the leader"))
        #expect(persisted.lowerBound < applied.lowerBound)
        #expect(agent.stop() == 0)
    }

    @Test func aRestartedAgentKeepsItsTermAndResumesWithoutAGap() throws {
        let coordinator = try coordinator(.welcome(term: 4, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let data = TemporaryDirectory()
        var first: AgentProcess? = try AgentProcess(tlsDirectory: certificates.tlsDirectory,
                                                    coordinators: [coordinator.address], dataDirectory: data)
        #expect(eventually { coordinator.hellos.count == 1 })
        let firstIncarnation = try #require(coordinator.hellos.first?.hello.incarnation)
        #expect(eventually { coordinator.storedSequences(incarnation: firstIncarnation).count >= 3 })
        #expect(first?.stop() == 0, "SIGTERM must flush, close and exit 0")
        first = nil
        let stored = coordinator.storedSequences(incarnation: firstIncarnation)
        #expect(stored == Array(1...UInt64(stored.count)))

        coordinator.setAnswer(.welcome(term: 2, leaderName: "c1"))
        let second = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address],
                                      dataDirectory: data)
        #expect(eventually { coordinator.hellos.count >= 2 })
        let hello = try #require(coordinator.hellos.dropFirst().first?.hello)
        #expect(hello.highestSeenTerm == 4, "the restarted agent forgot the term it had persisted")
        #expect(hello.incarnation > firstIncarnation)
        #expect(eventually { !second.lines(containing: "refused a welcome from a deposed leader").isEmpty },
                "\(second.log.text)")
        #expect(second.persistedTerm == "4\n")
        #expect(coordinator.storedSequences(incarnation: hello.incarnation).isEmpty,
                "reports reached a leader whose welcome was refused")
        #expect(second.stop() == 0)
    }

    /// A resumed session carries the certificate it was first made with, so
    /// after SIGHUP the agent must not resume one: its next connection
    /// presents the new certificate in a full handshake.
    @Test func sighupReloadsTheCertificatesAndTheNextConnectionHandshakesWithTheNewOne() throws {
        let coordinator = try coordinator(.welcome(term: 1, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address])
        #expect(eventually { coordinator.hellos.count == 1 })
        coordinator.closeConnections()
        #expect(eventually { coordinator.hellos.count == 2 }, "\(agent.log.text)")
        #expect(coordinator.hellos.map(\.onResumedConnection) == [false, true], "the agent did not resume its session")

        for file in ["node-1.pem", "node-1.key"] {
            try FileManager.default.removeItem(atPath: certificates.tlsDirectory + "/" + file)
        }
        _ = try CertificateAuthority.issue(directory: certificates.tlsDirectory,
                                           identity: NodeIdentity(role: .agent, name: "node-1"),
                                           ipAddresses: [], dnsNames: [])
        kill(agent.pid, SIGHUP)
        #expect(eventually { !agent.lines(containing: "certificates reloaded").isEmpty }, "\(agent.log.text)")
        coordinator.closeConnections()
        #expect(eventually { coordinator.hellos.count == 3 }, "\(agent.log.text)")
        let afterReload = try #require(coordinator.hellos.last)
        #expect(!afterReload.onResumedConnection, "the agent resumed a session made with its old certificate")
        #expect(afterReload.certificateName == "node-1")
        #expect(agent.process.isRunning)
        #expect(agent.stop(with: SIGINT) == 0)
    }

    /// SIGHUP runs the start-up check first: an expired certificate in place
    /// is refused, logged with why, and the next connection still presents
    /// the old one (an expired one would fail the coordinator's handshake).
    @Test func sighupWithAnExpiredCertificateKeepsTheCurrentOne() throws {
        let coordinator = try coordinator(.welcome(term: 1, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address])
        #expect(eventually { coordinator.hellos.count == 1 }, "\(agent.log.text)")
        for file in ["node-1.pem", "node-1.key"] {
            try FileManager.default.removeItem(atPath: certificates.tlsDirectory + "/" + file)
        }
        let now = Int64(Date().timeIntervalSince1970)
        _ = try CertificateAuthority.issue(directory: certificates.tlsDirectory, identity: NodeIdentity(role: .agent, name: "node-1"),
                                           ipAddresses: [], dnsNames: [], notBefore: now - 10 * 86_400, notAfter: now - 86_400)
        kill(agent.pid, SIGHUP)
        #expect(eventually { !agent.lines(containing: "certificate reload failed").isEmpty }, "\(agent.log.text)")
        let refusal = agent.lines(containing: "certificate reload failed").first ?? ""
        #expect(refusal.contains("node-1.pem expired at") && refusal.contains("failures=1"), "\(refusal)")
        coordinator.closeConnections()
        #expect(eventually { coordinator.hellos.count == 2 }, "the agent lost its working certificate:\n\(agent.log.text)")
        #expect(agent.stop(with: SIGINT) == 0)
    }

    @Test func theAgentsOwnExecutableRunsTheSameAgent() throws {
        let coordinator = try coordinator(.welcome(term: 2, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: [coordinator.address],
                                     separateExecutable: true)
        #expect(eventually { agent.persistedTerm == "2\n" }, "\(agent.log.text)")
        let hello = try #require(coordinator.hellos.first)
        #expect(hello.wasFirstFrame && hello.certificateName == "node-1")
        #expect(eventually { coordinator.storedSequences(incarnation: hello.hello.incarnation).count >= 2 })
        #expect(agent.stop() == 0)
        let refusedData = TemporaryDirectory()
        defer { refusedData.remove() }
        let refused = try ExternalCommand.run([
            HotSwapBinary.agentPath, "--name", "c1", "--coordinators", "127.0.0.1:1", "--tls-dir", certificates.tlsDirectory,
            "--data-dir", refusedData.path])
        #expect(refused.status == 1 && refused.standardError.contains("needs role agent"), "\(refused.combined)")
    }

    private func refusal(name: String = "node-1", tlsDirectory: String? = nil, dataDirectory: String? = nil) throws
        -> ExternalCommand.Output {
        let data = TemporaryDirectory()
        defer { data.remove() }
        let output = try ExternalCommand.run([
            HotSwapBinary.path, "agent", "--name", name, "--coordinators", "127.0.0.1:1",
            "--tls-dir", tlsDirectory ?? certificates.tlsDirectory, "--data-dir", dataDirectory ?? data.path])
        #expect(output.status == 1, "\(output.combined)")
        #expect(!output.combined.contains("agent started"))
        return output
    }

    @Test func aCoordinatorCertificateIsRefusedAtStart() throws {
        let output = try refusal(name: "c1")
        #expect(output.standardError.contains("is issued for role coordinator but this process needs role agent"),
                "\(output.combined)")
    }

    @Test func aCertificateFromAnotherCAIsRefusedAtStart() throws {
        let mixed = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: certificates.ca, toPath: mixed.file("ca.pem"))
        try FileManager.default.copyItem(atPath: certificates.foreign.file("node-1.pem"), toPath: mixed.file("node-1.pem"))
        try FileManager.default.copyItem(atPath: certificates.foreign.file("node-1.key"), toPath: mixed.file("node-1.key"))
        let output = try refusal(tlsDirectory: mixed.path)
        #expect(output.standardError.contains("is not signed by the cluster CA"), "\(output.combined)")
    }

    @Test func aCertificateNamingAnotherNodeIsRefusedAtStart() throws {
        let renamed = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: certificates.ca, toPath: renamed.file("ca.pem"))
        try FileManager.default.copyItem(atPath: certificates.certificate("node-1"), toPath: renamed.file("node-2.pem"))
        try FileManager.default.copyItem(atPath: certificates.key("node-1"), toPath: renamed.file("node-2.key"))
        let output = try refusal(name: "node-2", tlsDirectory: renamed.path)
        #expect(output.standardError.contains("belongs to \"node-1\" but this process is \"node-2\""), "\(output.combined)")
    }

    @Test func aDataDirectoryThatIsNotADirectoryIsRefusedAtStart() throws {
        let parent = TemporaryDirectory()
        #expect(FileManager.default.createFile(atPath: parent.file("plain-file"), contents: Data("x".utf8)))
        let output = try refusal(dataDirectory: parent.file("plain-file"))
        #expect(output.standardError.contains("cannot be used: it is not a directory"), "\(output.combined)")
    }
}
