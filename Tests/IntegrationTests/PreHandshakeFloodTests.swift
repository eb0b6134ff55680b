import Testing
import TestSupport

/// Hundreds of connections that never finish a TLS handshake, on every port of every member,
/// while the cluster elects, commits, restarts a member and takes a new agent: unauthenticated
/// connections have their own budget (capped per source, lighter sources first, oldest evicted)
/// and never shut out the handshakes of members and agents. The restarted member must handshake
/// into flooded peer ports and be dialled on its own flooded peer port, and the new agent must
/// handshake into flooded agent ports: links that already existed before the flood prove nothing.
/// Before this budget, 64 idle connections on a peer port closed a real coordinator's handshake at once.
@Suite(.serialized)
struct PreHandshakeFloodTests {
    /// Twenty source addresses, fifteen connections each per port: under the per-source cap of
    /// 64, over the endpoint's 256 pending handshakes, past the peer port's 64 connections.
    static let sources = (2...21).map { "127.0.0.\($0)" }
    static let connectionsPerPort = 300

    @Test func aClusterUnderAHandshakeFloodElectsCommitsRestartsAMemberAndTakesANewAgent() throws {
        let cluster = try ClusterFixture(agents: ["node-1", "node-2"])
        let first = try #require(cluster.agreedLeader())
        let agent = try AgentProcess(name: "node-1", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: cluster.agentAddresses, extraArguments: ["--interval", "200ms"])
        #expect(eventually { cluster.nodes(via: first)["node-1"]?["status"] as? String == "live" }, "the agent never attached")

        let flood = HandshakeFlood(try floodEveryPort(of: cluster))
        defer { flood.stop() }
        let floodedFollower = try #require(cluster.names.first { $0 != first })
        let metrics = MetricsScraper(ca: cluster.certificates.ca, url: try #require(cluster.processes[floodedFollower]).apiURL)
        #expect(eventually { (metrics.value("hotswap_transport_handshakes_evicted_total{endpoint=\"peer\"}") ?? 0) > 0 },
                "300 pending handshakes on a peer port evicted none: the budget of 256 was not reached")

        cluster.kill(first)
        let second = try #require(cluster.agreedLeader(timeout: .seconds(30)), "no leader was elected under the flood")
        #expect(second != first)
        #expect(cluster.putAcknowledged("flooded"), "no write committed under the flood")
        let reattached = eventually(timeout: .seconds(30)) {
            let node = cluster.nodes(via: second)["node-1"]
            let age = (node?["lastReport"] as? [String: Any])?["ageMilliseconds"] as? Int ?? .max
            return node?["status"] as? String == "live" && age < 2_000
        }
        #expect(reattached, "the agent did not report to the new leader \(second) under the flood")

        try expectRestartedMemberRejoins(first, cluster: cluster)
        try expectNewAgentAttaches(cluster: cluster, leader: second)
        _ = agent
    }

    /// `IdleConnections` on the peer, agent and API port of every member, all connected.
    private func floodEveryPort(of cluster: ClusterFixture) throws -> [IdleConnections] {
        var floods: [IdleConnections] = []
        for name in cluster.names {
            let process = try #require(cluster.processes[name])
            for port in [process.peerPort, process.agentPort, process.apiPort] {
                let flood = IdleConnections(count: Self.connectionsPerPort, port: port, sources: Self.sources)
                try #require(flood.connectedCount == Self.connectionsPerPort, "only \(flood.connectedCount) connected to \(port)")
                floods.append(flood)
            }
        }
        return floods
    }

    /// `member`, restarted on its data directory while the flood runs (its peer port, which the
    /// flood refills, is the one it had), must complete new peer handshakes both ways to apply a
    /// write made after it came back.
    private func expectRestartedMemberRejoins(_ member: String, cluster: ClusterFixture) throws {
        try cluster.start(member)
        #expect(cluster.putAcknowledged("after-restart"), "no write committed after \(member) restarted")
        let caughtUp = eventually(timeout: .seconds(30)) { cluster.environmentNames(on: member).contains("after-restart") }
        #expect(caughtUp, "\(member), restarted under the flood, never applied a write made after it came back")
    }

    /// A second agent, started under the flood, must handshake into flooded agent ports.
    private func expectNewAgentAttaches(cluster: ClusterFixture, leader: String) throws {
        let agent = try AgentProcess(name: "node-2", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: cluster.agentAddresses, extraArguments: ["--interval", "200ms"])
        let attached = eventually(timeout: .seconds(30)) { cluster.nodes(via: leader)["node-2"]?["status"] as? String == "live" }
        #expect(attached, "an agent started under the flood was never listed live by \(leader)")
        _ = agent
    }
}
