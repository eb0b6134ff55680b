import Foundation
import Telemetry
import Testing
import TestSupport
import Wire

/// The agent port of a real (single-member, so leading) coordinator, driven
/// frame by frame: the session protocol, identity from the certificate, and
/// bad input that must close only the offending agent's connection.
@Suite(.serialized)
struct AgentGatewayTests {
    let certificates: CertificateFixture
    let coordinator: CoordinatorProcess
    let nodeOne: TestTLSClient
    let nodeTwo: TestTLSClient
    let authorization: [String]

    init() throws {
        certificates = try CertificateFixture(agents: ["node-1", "node-2"])
        coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        authorization = try coordinator.adminAuthorization()
        nodeOne = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                    ca: certificates.ca)
        nodeTwo = try TestTLSClient(certificate: certificates.certificate("node-2"), key: certificates.key("node-2"),
                                    ca: certificates.ca)
        #expect(eventually { api("/api/v1/cluster")?["actingAsLeader"] as? Bool == true })
    }

    private func api(_ path: String) -> [String: Any]? {
        guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "3", "--cacert", certificates.ca] + authorization
                                                    + ["\(coordinator.apiURL)\(path)"]), output.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))) as? [String: Any]
    }

    private func node(_ id: String) -> [String: Any]? {
        (api("/api/v1/nodes")?["nodes"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    @Test func helloIsWelcomedReportsAreAcknowledgedAndTheNodeIsListedLive() throws {
        let agent = FrameAgent(client: nodeOne, port: coordinator.agentPort)
        agent.hello("node-1")
        #expect(eventually { !agent.frames(of: .agentWelcome).isEmpty }, "no welcome")
        let welcome = try AgentSessionCodec.decodeWelcome(try #require(agent.frames(of: .agentWelcome).first).payload)
        #expect(welcome.leaderTerm >= 1 && welcome.leaderName == "c1" && welcome.acknowledgedSequence == 0)
        try agent.report(first: 1, count: 3)
        #expect(eventually { agent.lastAcknowledgedSequence == 3 })
        try agent.report(first: 2, count: 4)
        #expect(eventually { agent.lastAcknowledgedSequence == 5 }, "resent samples 2-3 stored once, 4-5 added")

        #expect(eventually { node("node-1")?["status"] as? String == "live" && node("node-1")?["environment"] as? String == "development" })
        let listed = try #require(node("node-1"))
        #expect((listed["labels"] as? [String: String]) == ["rack": "r1"])
        #expect((listed["lastReport"] as? [String: Any])?["hostCPUPercent"] as? Double == 25)
        let metrics = try #require(api("/api/v1/nodes/node-1/metrics?since=0"))
        #expect((metrics["samples"] as? [Any])?.count == 5)
        let environment = try #require(api("/api/v1/environments/development"))
        let summary = try #require(environment["nodes"] as? [String: Any])
        #expect(summary["count"] as? Int == 1 && summary["live"] as? Int == 1)
        #expect((summary["cpuPercent"] as? [String: Any])?["median"] as? Double == 25)

        let asAdmin = try coordinator.adminCommandLineEnvironment()
        let table = try ExternalCommand.run([HotSwapBinary.path, "nodes", "--addr", coordinator.apiURL, "--ca", certificates.ca],
                                            environment: asAdmin)
        #expect(table.status == 0 && table.standardOutput.contains("node-1") && table.standardOutput.contains("live"),
                "\(table.combined)")
        let status = try ExternalCommand.run([HotSwapBinary.path, "cluster", "status", "--addr", coordinator.apiURL,
                                              "--ca", certificates.ca], environment: asAdmin)
        #expect(status.status == 0 && status.standardOutput.contains("leader: c1"), "\(status.combined)")

        agent.close()
        let again = FrameAgent(client: nodeOne, port: coordinator.agentPort)
        again.hello("node-1")
        #expect(eventually { !again.frames(of: .agentWelcome).isEmpty })
        let resumed = try AgentSessionCodec.decodeWelcome(try #require(again.frames(of: .agentWelcome).first).payload)
        #expect(resumed.acknowledgedSequence == 5, "a reconnecting agent learns what the leader already holds")
        again.close()
    }

    @Test func aHelloClaimingAnotherNodeIsRefusedAndTheCertificateNameWins() throws {
        let impostor = FrameAgent(client: nodeOne, port: coordinator.agentPort)
        impostor.hello("node-2")
        #expect(eventually { impostor.transcript.isClosed })
        #expect(impostor.frames(of: .agentWelcome).isEmpty)
        #expect(eventually { coordinator.log.text.contains("hello claims node 'node-2' but the certificate names 'node-1'") })
        let listed = try #require(api("/api/v1/nodes")?["nodes"] as? [[String: Any]], "GET /api/v1/nodes failed")
        #expect(!listed.contains { $0["id"] as? String == "node-2" }, "\(listed)")
    }

    @Test func malformedOrOutOfOrderFramesCloseOnlyThatAgent() throws {
        let bystander = FrameAgent(client: nodeTwo, port: coordinator.agentPort)
        bystander.hello("node-2")
        #expect(eventually { !bystander.frames(of: .agentWelcome).isEmpty })

        let early = FrameAgent(client: nodeOne, port: coordinator.agentPort)
        try early.report(first: 1, count: 1)
        #expect(eventually { early.transcript.isClosed }, "a report before hello is refused")

        let garbled = FrameAgent(client: nodeOne, port: coordinator.agentPort)
        garbled.hello("node-1")
        #expect(eventually { !garbled.frames(of: .agentWelcome).isEmpty })
        garbled.send(kind: .report, [1, 0xFF, 0xFF, 0xFF])
        #expect(eventually { garbled.transcript.isClosed }, "a malformed report closes the connection")

        try bystander.report(first: 1, count: 2)
        #expect(eventually { bystander.lastAcknowledgedSequence == 2 }, "the other agent is still served")
        bystander.close()
    }

    @Test func rapidReconnectsOfOneNodeReplaceSessionsWithoutHarm() throws {
        for round in 0..<40 {
            let older = FrameAgent(client: nodeOne, port: coordinator.agentPort)
            older.hello("node-1", incarnation: UInt64(round + 1))
            let newer = FrameAgent(client: nodeOne, port: coordinator.agentPort)
            newer.hello("node-1", incarnation: UInt64(round + 1))
            older.close()
            #expect(eventually { !newer.frames(of: .agentWelcome).isEmpty })
            newer.close()
        }
        #expect(coordinator.process.isRunning, "the coordinator died: \(coordinator.log.text.suffix(2_000))")
        #expect(api("/api/v1/cluster")?["actingAsLeader"] as? Bool == true)
    }
}
