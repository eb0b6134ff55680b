import Foundation
import HostInstall
import Telemetry
import Testing
import TestSupport
import Wire

/// Module orders in a three-member cluster with a scripted agent on the leader: `hotswap node
/// install` given a follower first moves on to the leader on its 503 `not_leader`; and an order
/// whose leader loses its majority before the host answers is answered `forgotten` (200), never
/// a 503 that a client would send again as a new operation.
@Suite(.serialized)
struct NodeModuleOrderClusterTests {
    let cluster: ClusterFixture
    let leader: CoordinatorProcess
    let follower: CoordinatorProcess
    let leaderName: String

    init() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture()
        let leaderName = try #require(cluster.agreedLeader())
        let followerName = try #require(cluster.names.first { $0 != leaderName })
        let leader = try #require(cluster.processes[leaderName])
        (self.cluster, self.leaderName, self.leader) = (cluster, leaderName, leader)
        follower = try #require(cluster.processes[followerName])
        try ModuleFixture.awaitModuleRecords(on: leader, token: cluster.token)
        let work = TemporaryDirectory()
        try ModuleFixture("web", "2.0.0", payload: Array("run".utf8), in: work).upload(to: leader, as: "web/2.0.0", token: cluster.token)
    }

    func agent() throws -> FrameAgent {
        let certificates = cluster.certificates
        let client = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                       ca: certificates.ca)
        let agent = FrameAgent(client: client, port: leader.agentPort)
        agent.hello("node-1")
        #expect(eventually { !agent.frames(of: .agentWelcome).isEmpty }, "no welcome")
        return agent
    }

    func answerFirstOrder(of agent: FrameAgent) throws {
        #expect(eventually(timeout: .seconds(20)) { !NodeModuleOrderTests.orders(agent).isEmpty }, "no module order")
        let (command, order) = try #require(NodeModuleOrderTests.orders(agent).first)
        NodeModuleOrderTests.answer(agent, command, install: InstallResult(
            operation: order.command.operation, outcome: .installed, active: ActiveVersion(version: "2.0.0", port: 8080)))
    }

    @Test func installGivenAFollowerFirstMovesOnToTheLeader() throws {
        let agent = try agent()
        defer { agent.close() }
        let environment = cluster.commandLineEnvironment(["HOTSWAP_ADDR": "\(follower.apiURL),\(leader.apiURL)",
                                                          "HOTSWAP_CA": cluster.certificates.ca])
        let command = try Subprocess([HotSwapBinary.path, "node", "install", "node-1", "web", "2.0.0", "--wait", "20s"],
                                     environment: environment)
        defer {
            if command.waitUntilExit(timeout: .seconds(60)) == nil { command.kill() }
            command.waitUntilExit()
        }
        try answerFirstOrder(of: agent)
        #expect(command.waitUntilExit(timeout: .seconds(60)) == 0, "\(command.standardError?.finish() ?? "")")
        let output = command.standardOutput?.finish() ?? ""
        #expect(output.contains("on node-1: installed, active 2.0.0 on port 8080"), "\(output)")
    }

    @Test func anOrderItsLeaderForgotIsAnsweredForgotten() throws {
        let agent = try agent()
        defer { agent.close() }
        let request = try BackgroundRequest(["curl", "-sS", "--max-time", "60", "--cacert", cluster.certificates.ca, "-D", "-",
                                             "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                                             #"{"version":"2.0.0"}"#] + cluster.authorization
                                            + ["\(leader.apiURL)/api/v1/nodes/node-1/modules/web?wait=50"])
        defer { request.join(timeout: .seconds(70)) }
        #expect(eventually(timeout: .seconds(20)) { !NodeModuleOrderTests.orders(agent).isEmpty }, "no module order")
        for name in cluster.names where name != leaderName { cluster.kill(name) }
        let answer = try #require(request.join(timeout: .seconds(70)))
        #expect(answer.status == 200 && answer.json["outcome"] as? String == "forgotten", "\(answer.body)")
        #expect(answer.json["recorded"] as? Bool == false && (answer.json["reason"] as? String ?? "").contains("may still"),
                "\(answer.body)")
    }
}
