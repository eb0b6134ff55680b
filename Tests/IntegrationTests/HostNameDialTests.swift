import Foundation
import Testing
import TestSupport

/// Peer and coordinator addresses given as host names (Kubernetes' per-pod DNS names), resolved at
/// each dial: real coordinators and a real agent on loopback, named through `localhost`, and a
/// member whose name does not resolve (`.invalid` never does, RFC 6761), which is a failed dial
/// retried with backoff, logged and counted, never a start-up failure.
@Suite(.serialized)
struct HostNameDialTests {
    @Test func membersNamedByHostNameElectALeaderAndAnAgentNamingOneReports() throws {
        let cluster = try ClusterFixture(agents: ["node-1"], peerHosts: ["c1": "localhost", "c2": "localhost", "c3": "localhost"])
        let leader = try #require(cluster.agreedLeader(), "no leader among members that dial each other by name")
        #expect(cluster.putAcknowledged("named"), "the named cluster does not commit")
        let members = cluster.clusterView(on: leader)?["members"] as? [[String: Any]] ?? []
        let peerAddresses = Set(members.compactMap { $0["peerAddress"] as? String })
        #expect(peerAddresses.count == 3 && peerAddresses.allSatisfy { $0.hasPrefix("localhost:") },
                "the members' addresses are not kept as written: \(peerAddresses)")
        let port = try #require(cluster.processes[leader]).agentPort
        let agent = try AgentProcess(name: "node-1", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: ["localhost:\(port)"], extraArguments: ["--interval", "200ms"])
        defer { _ = agent.stop() }
        #expect(eventually { cluster.nodes(via: leader)["node-1"]?["lastReport"] is [String: Any] },
                "the agent given localhost:\(port) never reported")
    }

    /// The name fails at once when the DNS server answers (NXDOMAIN for `.invalid`, RFC 6761) and,
    /// with `RES_OPTIONS` bounding glibc's resolver to one try of one second, within about a second
    /// when no server answers (its default is 5 s and 2 tries per server, so several dials would take
    /// minutes). The reason may alternate between "Name or service not known" and "Temporary failure
    /// in name resolution" as the server answers or not, so the log is checked for the name, and the
    /// count of failed dials, not for how many lines the changes of reason made.
    @Test func aMemberWhoseNameDoesNotResolveIsRedialledWhileTheOthersElect() throws {
        let cluster = try ClusterFixture(starting: ["c1", "c2"],
                                         peerHosts: ["c1": "localhost", "c2": "localhost", "c3": "c3.nonexistent.invalid"],
                                         coordinatorEnvironment: ["RES_OPTIONS": "timeout:1 attempts:1"])
        let leader = try #require(cluster.agreedLeader(), "two of three members did not elect while the third does not resolve")
        #expect(cluster.putAcknowledged("without-c3"))
        for name in ["c1", "c2"] {
            let process = try #require(cluster.processes[name])
            let metrics = MetricsScraper(ca: cluster.certificates.ca, url: process.apiURL)
            #expect(eventually { (metrics.value("hotswap_peer_resolution_failures_total") ?? 0) >= 2 },
                    "\(name) did not count its failed dials to c3")
            #expect(process.log.text.split(separator: "\n").contains {
                $0.contains("peer address did not resolve") && $0.contains("c3.nonexistent.invalid")
            }, "\(name) did not log the name that does not resolve")
        }
        #expect(cluster.live.allSatisfy { cluster.processes[$0]?.process.isRunning == true }, "a member stopped")
        #expect(cluster.clusterView(on: leader)?["leader"] as? String == leader)
    }
}
