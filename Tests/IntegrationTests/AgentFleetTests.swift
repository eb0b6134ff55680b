import Foundation
import Telemetry
import Testing
import TestSupport
import Wire

/// Real agents against a real three-coordinator cluster: every node is
/// listed live with metrics, and when the leader is killed every agent
/// re-attaches to the new one — resuming its TLS session with a ticket the
/// old leader sealed — while no node is ever reported down; a
/// follower holds the hello of an agent that lost the leader until it can
/// name the next one.
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
        let metrics = MetricsScraper(ca: cluster.certificates.ca, url: try #require(cluster.processes[second]).apiURL)
        #expect(metrics.value("hotswap_agent_nodes{status=\"live\"}") == Double(Self.nodes.count))
        #expect(metrics.value("hotswap_agent_nodes{status=\"down\"}") == 0)
        let resumed = metrics.value("hotswap_transport_handshakes_resumed_total{endpoint=\"agent\"}") ?? 0
        #expect(resumed >= Double(Self.nodes.count),
                "agents re-attached with full handshakes: the new leader resumed \(resumed) sessions, not the old leader's tickets")
        for agent in agents {
            let term = Int(agent.persistedTerm?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            #expect(term > firstTerm, "an agent did not persist the new leader's term (has \(term), old term \(firstTerm))")
        }
    }

    @Test func aFollowerHoldsTheHelloOfAnAgentThatLostTheLeaderUntilTheNextIsElected() throws {
        let cluster = try ClusterFixture(agents: ["node-1"], coordinatorArguments: ["--agent-hello-hold", "20s"])
        let first = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != first })
        let term = try #require(cluster.clusterView(on: follower)?["term"] as? Int)
        let client = try TestTLSClient(certificate: cluster.certificates.certificate("node-1"),
                                       key: cluster.certificates.key("node-1"), ca: cluster.certificates.ca)
        let agent = FrameAgent(client: client, port: try #require(cluster.processes[follower]).agentPort)
        defer { agent.close() }
        agent.hello("node-1", formerLeader: FormerLeader(name: first, term: UInt64(term)))
        usleep(500_000)
        #expect(agent.frames.isEmpty, "the follower answered while it still named the lost leader \(first)")

        cluster.kill(first)
        #expect(eventually { !agent.frames(of: .agentRedirect).isEmpty || !agent.frames(of: .agentWelcome).isEmpty },
                "the held hello was never answered")
        if let frame = agent.frames(of: .agentWelcome).first {
            let welcome = try AgentSessionCodec.decodeWelcome(frame.payload)
            #expect(welcome.leaderName == follower && welcome.leaderTerm > UInt64(term))
        } else {
            let redirect = try AgentSessionCodec.decodeRedirect(try #require(agent.frames(of: .agentRedirect).first).payload)
            #expect(redirect.leaderName != first && redirect.term > UInt64(term) && !redirect.leaderAgentAddress.isEmpty,
                    "redirected to \(redirect.leaderName) (term \(redirect.term), '\(redirect.leaderAgentAddress)')")
        }
    }
}
