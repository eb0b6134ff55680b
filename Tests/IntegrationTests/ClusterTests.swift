import Foundation
import Testing
import TestSupport

/// A real three-coordinator cluster on loopback: election, forwarded writes,
/// `kill -9` of the leader and of everyone, and a paused leader that must not
/// act for its old term when it wakes.
@Suite(.serialized)
struct ClusterTests {
    @Test func membersElectOneLeaderAndAllReportIt() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let roles = cluster.names.compactMap { cluster.clusterView(on: $0)?["role"] as? String }
        #expect(roles.filter { $0 == "leader" }.count == 1, "roles: \(roles)")
        #expect(cluster.clusterView(on: leader)?["actingAsLeader"] as? Bool == true)
        let members = cluster.clusterView(on: leader)?["members"] as? [[String: Any]]
        #expect(members?.count == 3)
        let published = eventually {
            cluster.names.allSatisfy { asked in
                let members = cluster.clusterView(on: asked)?["members"] as? [[String: Any]] ?? []
                return members.count == 3 && members.allSatisfy { member in
                    guard let name = member["name"] as? String, let process = cluster.processes[name] else { return false }
                    return "https://\(member["apiAddress"] as? String ?? "")" == process.apiURL
                        && member["agentAddress"] as? String == "127.0.0.1:\(process.agentPort)"
                }
            }
        }
        #expect(published, "every member knows every member's API and agent address")
    }

    @Test func aWriteOnAFollowerIsForwardedAndReadableOnEveryMember() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        #expect(cluster.putEnvironment("edge", on: follower) == 201)
        #expect(eventually { cluster.names.allSatisfy { cluster.environmentNames(on: $0).contains("edge") } })
    }

    /// An environment name longer than the log codec reads once committed every member and halted
    /// them all, for good (the entry stayed in the log). It is refused before Raft, on the leader
    /// and on a follower, and the cluster keeps taking writes.
    @Test func anEnvironmentNameTheLogCannotHoldIsRefusedAndEveryMemberKeepsServing() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        let long = String(repeating: "a", count: 300)
        for name in [leader, follower] {
            let process = try #require(cluster.processes[name])
            let put = try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca]
                                              + cluster.authorization + [
                                                  "-w", "%{http_code}", "-X", "PUT", "-d", "{\"defaultStrategy\": \"canary\", "
                                                      + "\"requiresApproval\": false}", "\(process.apiURL)/api/v1/environments/\(long)"])
            #expect(put.standardOutput == "{\"error\":{\"code\":\"invalid_environment\",\"message\":\"environment name '\(long)' "
                        + "must match [a-z0-9][a-z0-9-]{0,62}\"}}422", "on \(name)")
            let delete = try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", cluster.certificates.ca]
                                                 + cluster.authorization
                                                 + ["-w", "%{http_code}", "-X", "DELETE", "\(process.apiURL)/api/v1/environments/\(long)"])
            #expect(delete.standardOutput == "{\"error\":{\"code\":\"not_found\",\"message\":\"environment '\(long)' "
                        + "does not exist\"}}404", "on \(name)")
        }
        #expect(cluster.putAcknowledged("after-long-name"), "the cluster stopped taking writes")
        #expect(cluster.live.count == 3 && cluster.names.allSatisfy { cluster.clusterView(on: $0) != nil })
    }

    @Test func afterTheLeaderIsKilledANewLeaderCommitsAndNoAcknowledgedWriteIsLost() throws {
        let cluster = try ClusterFixture()
        let first = try #require(cluster.agreedLeader())
        let before = (1...10).map { "before-\($0)" }
        for name in before { #expect(cluster.putAcknowledged(name)) }
        cluster.kill(first)
        let second = try #require(cluster.agreedLeader())
        #expect(second != first)
        let after = (1...10).map { "after-\($0)" }
        for name in after { #expect(cluster.putAcknowledged(name)) }
        #expect(cluster.live.count == 2)
        for member in cluster.live {
            #expect(eventually { cluster.environmentNames(on: member).isSuperset(of: before + after) }, "\(member) lost writes")
        }
        // What the new leader sends the dead member is dropped and counted, not held for its return.
        let secondProcess = try #require(cluster.processes[second])
        let metrics = MetricsScraper(ca: cluster.certificates.ca, url: secondProcess.apiURL)
        let droppedOutbound = "hotswap_peer_messages_dropped_total{direction=\"outbound\"}"
        #expect(eventually { (metrics.value(droppedOutbound) ?? 0) > 0 }, "nothing sent to the dead member was counted as dropped")
        // Each survivor learned of the first leader and of the second (Deploy/'s leader-flapping alert reads it).
        for member in cluster.live {
            let scraper = MetricsScraper(ca: cluster.certificates.ca, url: try #require(cluster.processes[member]).apiURL)
            #expect(eventually { (scraper.value("hotswap_raft_leader_changes_total") ?? 0) >= 2 }, "\(member) did not count the failover")
        }
        try cluster.start(first)
        #expect(eventually { cluster.environmentNames(on: first).isSuperset(of: before + after) }, "restarted member did not catch up")
        #expect(cluster.putAcknowledged("after-restart"))
        #expect(eventually { cluster.environmentNames(on: first).contains("after-restart") }, "replication to the restarted member stalled")
    }

    @Test func killingEveryMemberAndRestartingKeepsEveryAcknowledgedWrite() throws {
        let cluster = try ClusterFixture()
        _ = try #require(cluster.agreedLeader())
        let written = (1...15).map { "durable-\($0)" }
        for name in written { #expect(cluster.putAcknowledged(name)) }
        for name in cluster.names { cluster.kill(name) }
        for name in cluster.names { try cluster.start(name) }
        _ = try #require(cluster.agreedLeader())
        for member in cluster.names {
            #expect(eventually { cluster.environmentNames(on: member).isSuperset(of: written) }, "\(member) lost writes")
        }
    }

    /// The founding members are bound to the data directory: a member
    /// restarted without `--initial-cluster` used to take itself for a
    /// cluster of one; one restarted with other members is refused, and so
    /// is another member on its directory.
    @Test func aMemberRestartedWithoutInitialClusterKeepsItsFoundingMembersAndOtherMembersAreRefused() throws {
        let cluster = try ClusterFixture()
        _ = try #require(cluster.agreedLeader())
        for name in cluster.names { cluster.kill(name) }
        let verify = try ExternalCommand.run([HotSwapBinary.path, "data", "verify", "--data-dir", cluster.dataDirectory(of: "c1").path])
        #expect(verify.standardOutput.contains("founding       \(cluster.initialCluster) (new)"), "\(verify.combined)")

        do {
            try cluster.start("c1", clusterArguments: ["--initial-cluster", "c1=\(cluster.peerAddress(of: "c1"))"])
            Issue.record("c1 started with founding members other than those of its data directory")
        } catch let failure as CoordinatorProcess.StartFailure {
            #expect(failure.log.contains("first started with --initial-cluster \(cluster.initialCluster) (new)"), "\(failure.log)")
        }

        do {
            _ = try CoordinatorProcess(name: "c2", tlsDirectory: cluster.certificates.tlsDirectory,
                                       dataDirectory: cluster.dataDirectory(of: "c1"))
            Issue.record("c2 started on c1's data directory")
        } catch let failure as CoordinatorProcess.StartFailure {
            #expect(failure.log.contains("this data directory is c1's"), "\(failure.log)")
        }

        try cluster.start("c1", clusterArguments: [])
        let c1 = try #require(cluster.processes["c1"])
        let founding = c1.log.text.split(separator: "\n").first { $0.contains("founding members from the data directory") }
        #expect(founding?.contains(cluster.initialCluster) == true, "\(c1.log.text)")
        // Alone, c1 applies nothing of its log (it learns what is committed from a leader), so it
        // knows no signing key and refuses every token: its view is read once the others are back.
        // One that took itself for a cluster of one would still list only itself.
        for name in ["c2", "c3"] { try cluster.start(name) }
        #expect(eventually { Set(cluster.memberRoles(on: "c1").keys) == Set(cluster.names) },
                "c1 without --initial-cluster does not know its founding members")
        _ = try #require(cluster.agreedLeader())
        #expect(cluster.putAcknowledged("after-restart"))
    }

    @Test func aPausedLeaderNeverActsForItsOldTermWhenItWakes() throws {
        let cluster = try ClusterFixture()
        let old = try #require(cluster.agreedLeader())
        let oldTerm = try #require(cluster.clusterView(on: old)?["term"] as? Int)
        let oldProcess = try #require(cluster.processes[old])
        kill(oldProcess.pid, SIGSTOP)
        let others = cluster.names.filter { $0 != old }
        let newLeaderElected = eventually {
            others.contains { member in
                guard let view = cluster.clusterView(on: member) else { return false }
                return (view["leader"] as? String).map { $0 != old } == true && (view["term"] as? Int ?? 0) > oldTerm
            }
        }
        #expect(newLeaderElected)
        kill(oldProcess.pid, SIGCONT)
        var viewsChecked = 0
        for _ in 0..<20 {
            guard let view = cluster.clusterView(on: old) else { continue }
            viewsChecked += 1
            let term = view["term"] as? Int ?? 0
            let acting = view["actingAsLeader"] as? Bool ?? false
            #expect(!(acting && term == oldTerm), "woken leader acts as leader for its old term \(oldTerm): \(view)")
        }
        #expect(viewsChecked > 0, "the woken leader answered none of 20 requests for its view")
        #expect(eventually { (cluster.clusterView(on: old)?["role"] as? String) == "follower" })
        let status = cluster.putEnvironment("after-wake", on: old)
        if (200...201).contains(status) {
            #expect(eventually { others.allSatisfy { cluster.environmentNames(on: $0).contains("after-wake") } },
                    "a write acknowledged by the woken node was not committed by the real leader")
        } else {
            #expect(status == 503, "unexpected status \(status)")
        }
    }
}
