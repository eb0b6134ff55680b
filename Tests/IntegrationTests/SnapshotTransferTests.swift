import AgentSimulation
import Agent
import Foundation
import Testing
import TestSupport

/// Fleet state far over one frame (1 MiB) reaches members that need a
/// snapshot: a follower paused until the leader compacted past its log, and
/// a member added afterwards. The state is built the way production builds
/// it — real agent sessions whose hellos carry labels, written by the
/// leader's gateway through Raft — and a follower then relays the whole
/// inventory (`GET /api/v1/nodes`) from the leader.
@Suite(.serialized)
struct SnapshotTransferTests {
    /// 32 labels of a 63-byte key and a 256-byte value: about 10.5 KB of
    /// node record each, so 2,400 nodes make about 25 MB of fleet state, and
    /// the snapshot at 2,200 entries about 23 MB.
    static let agentCount = 2_400
    /// Few snapshots (each encodes the whole state on the leader's Raft loop).
    static let snapshotEveryEntries = 1_100
    static let labels: [String: String] = Dictionary(uniqueKeysWithValues: (0..<32).map { index in
        let key = "label-\(index)-" + String(repeating: "k", count: 63 - "label-\(index)-".count)
        return (key, String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: 256))
    })
    static let snapshotBytesMinimum = 20_000_000
    static let settleTimeout: Duration = .seconds(300)

    /// A welcome does not wait for the node's inventory write, and a write lost to a leadership
    /// change is made again on the node's next report: waits until every node is recorded.
    static func expectEveryNodeRecorded(in cluster: ClusterFixture, asking member: String) {
        var recorded = 0
        #expect(eventually(timeout: settleTimeout) {
                    recorded = cluster.clusterView(on: member)?["nodesRecorded"] as? Int ?? recorded
                    return recorded == agentCount
                },
                "the cluster recorded the inventory of \(recorded) nodes of \(agentCount)")
    }

    @Test func twentyMegabytesOfFleetStateReachALaggingFollowerAndANewMemberBySnapshot() throws {
        // A long election timeout: encoding and installing 23 MB of state holds a debug
        // build's Raft loop for a while, and leadership churn would only slow the test.
        let cluster = try ClusterFixture(spares: ["c4"], agents: [], coordinatorArguments: [
            "--snapshot-every-entries", "\(Self.snapshotEveryEntries)", "--election-timeout-ticks", "40"])
        let leader = try #require(cluster.agreedLeader())
        let lagging = try #require(cluster.names.first { $0 != leader })
        let leaderProcess = try #require(cluster.processes[leader])
        let laggingProcess = try #require(cluster.processes[lagging])
        kill(laggingProcess.pid, SIGSTOP)

        let names = try SimulatedAgentFleet.prepareCertificates(count: Self.agentCount, tlsDirectory: cluster.certificates.tlsDirectory)
        let fleet = try SimulatedAgentFleet(loops: 2)
        var isFleetRunning = true
        defer { if isFleetRunning { fleet.stop() } }
        try fleet.start(names: names, coordinators: [try CoordinatorAddress(parsing: "127.0.0.1:\(leaderProcess.agentPort)")],
                        tlsDirectory: cluster.certificates.tlsDirectory, interval: .seconds(5), perSecond: 550, labels: Self.labels)
        let compacted = eventually(timeout: Self.settleTimeout) {
            Self.largestSnapshotBytes(in: cluster.dataDirectory(of: leader).path) >= Self.snapshotBytesMinimum
        }
        #expect(compacted, "the leader never saved a snapshot of \(Self.snapshotBytesMinimum) bytes")
        #expect(eventually(timeout: Self.settleTimeout) { fleet.welcomedCount(minimumTerm: 0) == Self.agentCount },
                "not every agent was welcomed: \(fleet.welcomedCount(minimumTerm: 0)) of \(Self.agentCount)")
        // Then the sessions go, so this process spawns curl with few descriptors open
        // (Foundation's Process crashed here with 2,400 connections open).
        Self.expectEveryNodeRecorded(in: cluster, asking: leader)
        fleet.stop()
        isFleetRunning = false
        let leaderApplied = cluster.clusterView(on: leader)?["appliedIndex"] as? Int ?? 0

        kill(laggingProcess.pid, SIGCONT)
        #expect(eventually(timeout: Self.settleTimeout) {
                    Self.receivedSnapshotBytes(in: laggingProcess.log.text) >= Self.snapshotBytesMinimum
                },
                """
                \(lagging) never received a snapshot of \(Self.snapshotBytesMinimum) bytes:
                \(laggingProcess.log.text.suffix(4_000))
                """)
        #expect(eventually(timeout: Self.settleTimeout) {
                    (cluster.clusterView(on: lagging)?["appliedIndex"] as? Int ?? 0) >= leaderApplied
                },
                "\(lagging) did not catch up to index \(leaderApplied)")

        // Any member may lead by now; retried because leadership may move
        // while the leader renders the answer.
        var listed: [[String: Any]] = []
        let relayed = eventually(timeout: Self.settleTimeout) {
            listed = Self.nodes(via: laggingProcess.apiURL, in: cluster)
            return listed.count == Self.agentCount
        }
        #expect(relayed, "a follower relayed \(listed.count) nodes of \(Self.agentCount):\n\(laggingProcess.log.text.suffix(4_000))")
        #expect(listed.allSatisfy { ($0["labels"] as? [String: String]) == Self.labels }, "relayed nodes lost their labels")

        let added = try cluster.hotswapCluster(["member", "add", "c4", "--peer-addr", cluster.peerAddress(of: "c4")], on: leader)
        #expect(added.status == 0, "member add failed: \(added.combined)")
        try cluster.start("c4")
        let joined = try #require(cluster.processes["c4"])
        #expect(eventually(timeout: Self.settleTimeout) { Self.receivedSnapshotBytes(in: joined.log.text) >= Self.snapshotBytesMinimum },
                "c4 never received a snapshot of \(Self.snapshotBytesMinimum) bytes:\n\(joined.log.text.suffix(4_000))")
        #expect(eventually(timeout: Self.settleTimeout) { cluster.memberRoles(on: leader)["c4"] == "voter" },
                "c4 was not promoted: \(cluster.memberRoles(on: leader))")
        for member in [lagging, "c4"] {
            let log = cluster.processes[member]?.log.text ?? ""
            #expect(!log.contains("chunked transfer refused"), "\(member) refused a transfer:\n\(log)")
        }
    }

    /// The largest file in the member's snapshot directory.
    static func largestSnapshotBytes(in dataDirectory: String) -> Int {
        let directory = dataDirectory + "/raft/snap"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.map { name in
            ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name))?[.size] as? Int) ?? 0
        }.max() ?? 0
    }

    /// The largest `bytes=` of a "snapshot received" line in a coordinator's log.
    static func receivedSnapshotBytes(in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("snapshot received") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("bytes=") }.flatMap { Int($0.dropFirst("bytes=".count)) }
        }.max() ?? 0
    }

    /// `GET /api/v1/nodes` on `url`: the node objects, or none if it failed.
    static func nodes(via url: String, in cluster: ClusterFixture) -> [[String: Any]] {
        guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "180", "--cacert", cluster.certificates.ca]
                                                    + cluster.authorization + ["\(url)/api/v1/nodes"]),
              let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any] else {
            return []
        }
        return object["nodes"] as? [[String: Any]] ?? []
    }
}
