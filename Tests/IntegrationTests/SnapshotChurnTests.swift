import Foundation
import Testing
import TestSupport

/// Snapshots every five entries on a real cluster while leadership moves (transfers and
/// `kill -9`) and a fourth member joins: a snapshot taken while a member's term is ahead of
/// the entry at its index must still record that entry's term, or the member drops
/// acknowledged entries and stops.
@Suite(.serialized)
struct SnapshotChurnTests {
    static let arguments = ["--snapshot-every-entries", "5"]

    @Test func everyAcknowledgedWriteSurvivesFrequentSnapshotsWhileLeadershipMovesAndAMemberJoins() throws {
        let cluster = try ClusterFixture(spares: ["c4"], coordinatorArguments: Self.arguments)
        _ = try #require(cluster.agreedLeader())
        let writer = ContinuousWriter(ca: cluster.certificates.ca, authorization: cluster.authorization, targets: cluster.apiURLs)
        #expect(eventually { writer.acknowledgedCount >= 10 })

        for round in 0..<Self.transferRounds {
            let leader = try #require(cluster.agreedLeader())
            let target = cluster.names[(cluster.names.firstIndex(of: leader)! + 1 + round % 2) % cluster.names.count]
            let moved = try cluster.hotswapCluster(["transfer-leader", "--to", target], on: leader)
            #expect(moved.status == 0, "transfer \(round) to \(target) failed: \(moved.combined)")
            try expectProgress(writer, "after transfer \(round)")
        }

        let victim = try #require(cluster.agreedLeader())
        cluster.kill(victim)
        writer.setTargets(cluster.apiURLs)
        try expectProgress(writer, "after the leader was killed")
        try cluster.start(victim)
        writer.setTargets(cluster.apiURLs)
        try expectProgress(writer, "after \(victim) restarted")

        let leader = try #require(cluster.agreedLeader())
        let added = try cluster.hotswapCluster(["member", "add", "c4", "--peer-addr", cluster.peerAddress(of: "c4")], on: leader)
        #expect(added.status == 0, "member add failed: \(added.combined)")
        try cluster.start("c4")
        #expect(eventually { cluster.memberRoles(on: leader)["c4"] == "voter" }, "c4 was not promoted")
        let c4 = try #require(cluster.processes["c4"])
        #expect(eventually { c4.log.text.contains("installed a snapshot from the leader") },
                "c4 caught up without a snapshot: \(c4.log.text.suffix(2_000))")
        writer.setTargets(cluster.apiURLs)
        try expectProgress(writer, "after c4 joined")

        cluster.expectNoAcknowledgedWriteLost(writer.stop(), on: cluster.live)
        for name in cluster.live {
            let process = try #require(cluster.processes[name])
            #expect(process.process.isRunning, "\(name) stopped: \(process.log.text.suffix(2_000))")
        }
        try expectCleanDataDirectories(cluster)
    }

    /// Every member stops cleanly and `hotswap data verify` recovers its directory, with a
    /// snapshot: c4 could only have caught up from one, the log before it being compacted away.
    private func expectCleanDataDirectories(_ cluster: ClusterFixture) throws {
        let members = cluster.live
        for name in members {
            #expect(cluster.processes[name]?.stop() == 0, "\(name) did not stop cleanly")
        }
        for name in members {
            let outcome = try DataVerify.run(dataDirectory: cluster.dataDirectory(of: name).path)
            guard case let .recovered(summary) = outcome else {
                Issue.record("data verify refused \(name)'s directory: \(outcome)")
                continue
            }
            #expect(summary.snapshotIndex > 0, "\(name) holds no snapshot: \(summary)")
        }
    }

    private func expectProgress(_ writer: ContinuousWriter, _ when: String) throws {
        let before = writer.acknowledgedCount
        #expect(eventually(timeout: .seconds(30)) { writer.acknowledgedCount >= before + 6 }, "writes stopped \(when)")
    }

    static let transferRounds = 8
}
