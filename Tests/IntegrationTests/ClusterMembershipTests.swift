import Foundation
import Testing
import TestSupport

/// Leadership transfer and membership changes on a real cluster while a
/// writer keeps writing: no acknowledged write may be lost, and the cluster
/// ends with the leader and members asked for.
@Suite(.serialized)
struct ClusterMembershipTests {
    @Test func leadershipMovesOnRequestFromTheLeaderOrAFollowerWithoutLosingWrites() throws {
        let cluster = try ClusterFixture()
        let first = try #require(cluster.agreedLeader())
        let writer = ContinuousWriter(ca: cluster.certificates.ca, authorization: cluster.authorization, targets: cluster.apiURLs)
        #expect(eventually { writer.acknowledgedCount >= 5 })

        let target = try #require(cluster.names.first { $0 != first })
        let moved = try cluster.hotswapCluster(["transfer-leader", "--to", target], on: first)
        #expect(moved.status == 0, "transfer-leader failed: \(moved.combined)")
        #expect(moved.standardOutput.contains("leadership moved to \(target)"))
        #expect(cluster.agreedLeader() == target)

        let back = try cluster.hotswapCluster(["transfer-leader", "--to", first], on: first)
        #expect(back.status == 0, "transfer-leader asked of a follower failed: \(back.combined)")
        #expect(cluster.agreedLeader() == first)

        let acknowledgedBefore = writer.acknowledgedCount
        #expect(eventually { writer.acknowledgedCount >= acknowledgedBefore + 5 }, "writes stopped after the transfers")
        cluster.expectNoAcknowledgedWriteLost(writer.stop(), on: cluster.live)
    }

    @Test func aMemberJoinsBecomesAVoterAndTheLeaderIsRemovedWithoutLosingWrites() throws {
        let cluster = try ClusterFixture(spares: ["c4"])
        let leader = try #require(cluster.agreedLeader())
        let writer = ContinuousWriter(ca: cluster.certificates.ca, authorization: cluster.authorization, targets: cluster.apiURLs)
        #expect(eventually { writer.acknowledgedCount >= 5 })

        let added = try cluster.hotswapCluster(["member", "add", "c4", "--peer-addr", cluster.peerAddress(of: "c4")], on: leader)
        #expect(added.status == 0, "member add failed: \(added.combined)")
        #expect(cluster.memberRoles(on: leader)["c4"] == "learner" || cluster.memberRoles(on: leader)["c4"] == "voter")
        try cluster.start("c4")
        #expect(eventually { cluster.memberRoles(on: leader)["c4"] == "voter" }, "c4 was not promoted: \(cluster.memberRoles(on: leader))")
        try expectJoinerAdoptedTheClusterIdentity(cluster, founder: leader)
        writer.setTargets(cluster.apiURLs)

        let follower = try #require(cluster.names.first { $0 != leader })
        let removed = try cluster.hotswapCluster(["member", "remove", leader], on: follower)
        #expect(removed.status == 0, "member remove failed: \(removed.combined)")
        let remaining = cluster.live.filter { $0 != leader }
        writer.setTargets(remaining.compactMap { cluster.processes[$0]?.apiURL })
        #expect(eventually { remaining.allSatisfy { Set(cluster.memberRoles(on: $0).keys) == Set(remaining) } },
                "membership after removal: \(remaining.map { cluster.memberRoles(on: $0) })")
        cluster.kill(leader)
        let newLeader = try #require(cluster.agreedLeader())
        #expect(newLeader != leader)

        let acknowledgedBefore = writer.acknowledgedCount
        #expect(eventually { writer.acknowledgedCount >= acknowledgedBefore + 5 }, "writes stopped after the removal")
        cluster.expectNoAcknowledgedWriteLost(writer.stop(), on: remaining)
    }

    /// A joining member starts as `joining` and takes the cluster's identity from its first peer,
    /// recording it in its founding record (Docs/CLUSTER.md, "Cluster identity").
    private func expectJoinerAdoptedTheClusterIdentity(_ cluster: ClusterFixture, founder: String) throws {
        let founded = try #require(cluster.processes[founder]?.log.text.split(separator: "\n")
            .first { $0.contains("founding members recorded") })
        let identity = try #require(founded.split(separator: " ").first { $0.hasPrefix("cluster=") }?.dropFirst("cluster=".count))
        #expect(identity.count == 16, "\(founded)")
        let joiner = try #require(cluster.processes["c4"])
        #expect(joiner.log.text.contains("msg=\"cluster identity learned from a peer\""), "\(joiner.log.text)")
        let record = try String(decoding: Data(contentsOf: URL(fileURLWithPath: cluster.dataDirectory(of: "c4").file("founding-cluster"))),
                                as: UTF8.self)
        #expect(record.contains("\nexisting\n") && record.contains("\ncluster-id \(identity)\n"), "c4 recorded: \(record)")
    }

    @Test func invalidMembershipRequestsAreRefusedWithReasons() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let existing = try cluster.hotswapCluster(["member", "add", leader, "--peer-addr", "127.0.0.1:1"], on: leader)
        #expect(existing.status == 1, "\(existing.combined)")
        #expect(existing.standardError == Self.refusal(409, "already_member", "'\(leader)' is already a member"))
        let badName = try cluster.hotswapCluster(["member", "add", "bad/name", "--peer-addr", "127.0.0.1:1"], on: leader)
        #expect(badName.status == 1, "\(badName.combined)")
        #expect(badName.standardError == Self.refusal(422, "invalid_member", "'bad/name' is not a valid node name"))
        let badAddress = try cluster.hotswapCluster(["member", "add", "c9", "--peer-addr", "nowhere"], on: leader)
        #expect(badAddress.status == 1, "\(badAddress.combined)")
        #expect(badAddress.standardError == Self.refusal(
            422, "invalid_member", "peerAddress: 'nowhere' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): no :PORT"))
        let unknown = try cluster.hotswapCluster(["member", "remove", "nobody"], on: leader)
        #expect(unknown.status == 1, "\(unknown.combined)")
        #expect(unknown.standardError == Self.refusal(404, "not_found", "'nobody' is not a member of the cluster"))
        let transfer = try cluster.hotswapCluster(["transfer-leader", "--to", "nobody"], on: leader)
        #expect(transfer.status == 1, "\(transfer.combined)")
        #expect(transfer.standardError == Self.refusal(404, "not_found", "'nobody' is not a voting member of the cluster"))
        let finalDot = try cluster.hotswapCluster(["member", "add", "c9", "--peer-addr", "c9.example.:7000"], on: leader)
        #expect(finalDot.standardError == Self.refusal(
            422, "invalid_member",
            "peerAddress: 'c9.example.:7000' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): "
                + "a host name may not end in '.'"))
        // A learner that never starts: the three voters' quorum is unchanged.
        let named = try cluster.hotswapCluster(["member", "add", "c9", "--peer-addr", "C9.Example:7000"], on: leader)
        #expect(named.status == 0, "\(named.combined)")
        #expect(named.standardOutput.contains("--peer-addr <its IP>:7000 ") && !named.standardOutput.contains("--peer-addr C9"),
                "the start command puts the name where coordinator binds: \(named.standardOutput)")
        #expect(eventually {
            let members = cluster.clusterView(on: leader)?["members"] as? [[String: Any]] ?? []
            return members.contains { $0["name"] as? String == "c9" && $0["peerAddress"] as? String == "c9.example:7000" }
        }, "the member's address is not replicated as HostPort prints it: \(cluster.clusterView(on: leader) ?? [:])")
    }

    /// What the CLI prints for an API refusal: one line, the server's message, then its status and code.
    private static func refusal(_ status: Int, _ code: String, _ message: String) -> String {
        "hotswap: \(message) (HTTP \(status) \(code))\n"
    }
}
