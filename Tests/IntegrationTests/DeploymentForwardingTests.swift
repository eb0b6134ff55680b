import Foundation
import Testing
import TestSupport

/// A user's action and an approval decision sent to a follower: the leader sends back the
/// deployment's headline, not its record, and the follower answers 200 with the same summary the
/// leader shows. (A record over one peer frame would need a wave gated over about 1,700 nodes;
/// `DeploymentBoundsTests` shows at the codec level that this answer is the same size for one node
/// as for 16,384 with their kept decisions.)
@Suite(.serialized)
struct DeploymentForwardingTests {
    @Test func aPauseAndAnApprovalThroughAFollowerAnswerTheSummary() throws {
        try Prerequisite.requireTools("curl")
        let cluster = try ClusterFixture(agents: ["node-1", "node-2"])
        let leaderName = try #require(cluster.agreedLeader())
        let leader = try #require(cluster.processes[leaderName])
        let follower = try #require(cluster.names.first { $0 != leaderName }.flatMap { cluster.processes[$0] })
        try ModuleFixture.awaitModuleRecords(on: leader, token: cluster.token)
        let work = TemporaryDirectory()
        try ModuleFixture("web", "2.0.0", payload: Array("run".utf8), in: work).upload(to: leader, as: "web/2.0.0", token: cluster.token)
        var agents: [FrameAgent] = []
        defer { agents.forEach { $0.close() } }
        for (node, environment) in [("node-1", "development"), ("node-2", "staging")] {
            let client = try TestTLSClient(certificate: cluster.certificates.certificate(node), key: cluster.certificates.key(node),
                                           ca: cluster.certificates.ca)
            let agent = FrameAgent(client: client, port: leader.agentPort)
            agent.hello(node, environment: environment)
            agents.append(agent)
        }
        #expect(eventually { cluster.nodes(via: leaderName).count == 2 }, "the agents' node records were never replicated")

        var created = APIResponse(status: 0, headers: [:], body: "")
        let started = eventually(timeout: .seconds(30)) {
            created = (try? follower.request("POST", "/api/v1/deployments", body: #"{"module":"web","version":"2.0.0","#
                + #""environment":"development"}"#, token: cluster.token)) ?? created
            return created.status == 202
        }
        try #require(started, "\(created.body)")
        let id = try #require(created.json["id"] as? String)
        let paused = try follower.request("POST", "/api/v1/deployments/\(id)/pause", body: #"{"reason":"look first"}"#,
                                          token: cluster.token)
        let reason = paused.json["reason"] as? String ?? ""
        #expect(paused.status == 200 && paused.json["state"] as? String == "paused" && reason.hasSuffix(": look first"), "\(paused.body)")
        #expect(paused.json["waves"] == nil && paused.json["nodeCount"] as? Int == 1, "only the summary: \(paused.body)")
        let listed = try leader.request("GET", "/api/v1/deployments?environment=development", token: cluster.token)
        let summary = (listed.json["deployments"] as? [[String: Any]])?.first ?? [:]
        #expect(NSDictionary(dictionary: summary).isEqual(to: paused.json), "the follower's answer is the leader's summary")

        // The staging node's record may name its environment a moment after the first deployment.
        var awaiting = APIResponse(status: 0, headers: [:], body: "")
        let awaitingStarted = eventually(timeout: .seconds(30)) {
            awaiting = (try? follower.request("POST", "/api/v1/deployments", body: #"{"module":"web","version":"2.0.0","#
                + #""environment":"staging"}"#, token: cluster.token)) ?? awaiting
            return awaiting.status == 202
        }
        try #require(awaitingStarted, "\(awaiting.body)")
        let awaitingID = try #require(awaiting.json["id"] as? String, "\(awaiting.body)")
        let rejected = try follower.request("POST", "/api/v1/approvals/\(awaitingID)/reject", body: #"{"reason":"freeze"}"#,
                                            token: cluster.token)
        #expect(rejected.status == 200 && rejected.json["state"] as? String == "aborted", "\(rejected.body)")
        #expect((rejected.json["approval"] as? [String: Any])?["reason"] as? String == "freeze", "\(rejected.body)")
    }
}
