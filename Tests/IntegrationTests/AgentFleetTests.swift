import Foundation
import Testing

/// Real agents against a real three-coordinator cluster: every node is
/// listed live with metrics, and when the leader is killed every agent
/// re-attaches to the new one while no node is ever reported down.
@Suite(.serialized)
struct AgentFleetTests {
    static let nodes = ["node-1", "node-2", "node-3"]

    @Test func agentsFollowANewLeaderAfterAKillAndNoNodeIsEverReportedDown() throws {
        let cluster = try ClusterFixture(agents: Self.nodes)
        let first = try #require(cluster.agreedLeader())
        let coordinators = cluster.agentAddresses
        let agents = try Self.nodes.map { name in
            try AgentProcess(name: name, tlsDirectory: cluster.certificates.tlsDirectory, coordinators: coordinators,
                             extraArguments: ["--interval", "200ms", "--environment", "qa"])
        }
        let follower = try #require(cluster.names.first { $0 != first })
        let allLive = eventually {
            let listed = cluster.nodes(via: follower)
            return Self.nodes.allSatisfy { listed[$0]?["status"] as? String == "live" && listed[$0]?["lastReport"] is [String: Any] }
        }
        #expect(allLive, "not every agent reported: \(cluster.nodes(via: follower).mapValues { $0["status"] ?? "?" })")
        let firstTerm = try #require(cluster.clusterView(on: follower)?["term"] as? Int)

        cluster.kill(first)
        let second = try #require(cluster.agreedLeader())
        #expect(second != first)
        var everDown: [String] = []
        let reattached = eventually(timeout: .seconds(30)) {
            let listed = cluster.nodes(via: second)
            everDown += listed.filter { $0.value["status"] as? String == "down" }.map(\.key)
            return Self.nodes.allSatisfy { node in
                guard let report = listed[node]?["lastReport"] as? [String: Any] else { return false }
                return listed[node]?["status"] as? String == "live" && (report["ageMilliseconds"] as? Int ?? .max) < 2_000
            }
        }
        #expect(reattached, "agents did not report to the new leader \(second)")
        #expect(everDown.isEmpty, "nodes reported down during the failover: \(Set(everDown))")
        for agent in agents {
            let term = Int(agent.persistedTerm?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            #expect(term > firstTerm, "an agent did not persist the new leader's term (has \(term), old term \(firstTerm))")
        }
    }
}
