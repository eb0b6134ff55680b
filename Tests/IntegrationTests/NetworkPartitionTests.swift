import Foundation
import Primitives
import Testing
import TestSupport
import Transport

/// A real network partition: three coordinators in their own network
/// namespaces on one bridge, and the leader's cable pulled (its veth set down).
/// The cut-off leader must stop acting within its lease and refuse writes;
/// the majority must elect a leader of a higher term and commit; after the
/// heal the old leader follows, catches up, and no acknowledged write is lost.
@Suite(.serialized)
struct NetworkPartitionTests {
    @Test func aCutOffLeaderStopsActingWithinItsLeaseWhileTheMajorityElectsAndCommits() throws {
        try NetworkNamespaceSupport.require()
        try Prerequisite.requireTools("curl")
        let cluster = try PartitionCluster()
        var found: (name: String, view: MemberView)?
        #expect(eventually { found = cluster.agreedLeader(among: cluster.names); return found != nil })
        let (old, oldView) = try #require(found)
        let majority = cluster.names.filter { $0 != old }
        var acknowledged: Set<String> = []

        #expect(cluster.putAcknowledged("before-partition", on: [old]))
        acknowledged.insert("before-partition")
        #expect(eventually { cluster.names.allSatisfy { cluster.environmentNames(on: $0)?.isSuperset(of: acknowledged) == true } })

        try cluster.network.isolate(old)
        let watch = IsolatedLeaderWatch(cluster: cluster, member: old, oldTerm: oldView.term,
                                        leaseBound: PartitionCluster.leaseBound)

        // The minority: past the lease bound it answers, but not as a leader, and refuses writes.
        #expect(eventually(timeout: .seconds(10)) { watch.sample(); return watch.samplesPastLeaseBound >= 3 },
                "the cut-off leader did not answer after the lease bound")
        let refused = cluster.put("refused-by-minority", on: old)
        #expect(refused.status == 503 && refused.retryAfter != nil, "cut-off leader answered a write with \(refused)")
        #expect(refused.code == "no_leader", "cut-off leader answered a write with \(refused)")

        // The majority: a leader of a higher term, and a write it commits.
        var elected: (name: String, view: MemberView)?
        #expect(eventually {
            watch.sample()
            elected = cluster.agreedLeader(among: majority)
            return (elected?.view.term ?? 0) > oldView.term
        }, "the majority elected no leader of a term above \(oldView.term)")
        let electedAfter = watch.elapsed
        let (new, newView) = try #require(elected)
        #expect(eventually {
            watch.sample()
            return majority.contains { cluster.put("during-partition", on: $0).isAcknowledged }
        }, "the majority did not commit a write")
        acknowledged.insert("during-partition")
        #expect(eventually { majority.allSatisfy { cluster.environmentNames(on: $0)?.contains("during-partition") == true } })
        // The cut-off member answers from its own state (a linearizable read there cannot
        // confirm its leadership); the answer must come, and must lack the majority's write.
        let seenByOld = try #require(cluster.environmentNames(on: old, serializable: true), "\(old) did not answer")
        #expect(!seenByOld.contains("during-partition"), "the cut did not isolate \(old)")
        #expect(eventually { watch.sample().map { $0.role != "leader" } == true }, "the cut-off leader never stepped down")

        let (rejoined, caughtUpAfter) = try healAndCatchUp(old, in: cluster, watch: watch, newTerm: newView.term,
                                                           acknowledged: acknowledged)

        print("""
            network partition (tick \(PartitionCluster.tick), election timeout \(PartitionCluster.electionTimeoutTicks) \
            ticks, lease bound \(PartitionCluster.leaseBound)): \(watch.summary); \(new) elected \
            (term \(oldView.term) → \(newView.term)) by +\(electedAfter.wholeMilliseconds) ms; \(old) following \
            \(rejoined?.name ?? "?") (term \(rejoined?.view.term ?? 0)) with every write \(caughtUpAfter.wholeMilliseconds) ms \
            after the heal
            """)
    }

    /// The heal: `old` must follow a leader of `newTerm` or later with every acknowledged
    /// write, take a write of its own, and leave no member holding the write it refused
    /// while cut off. The leader it follows, and how long after the heal it had caught up.
    private func healAndCatchUp(_ old: String, in cluster: PartitionCluster, watch: IsolatedLeaderWatch, newTerm: Int,
                                acknowledged: Set<String>) throws -> (rejoined: (name: String, view: MemberView)?,
                                                                      caughtUpAfter: Duration) {
        var acknowledged = acknowledged
        // The heal: the old leader follows the new one and catches up.
        try cluster.network.heal(old)
        watch.healed()
        let healedAt = ContinuousClock.now
        var rejoined: (name: String, view: MemberView)?
        #expect(eventually(timeout: .seconds(30)) {
            watch.sample()
            rejoined = cluster.agreedLeader(among: cluster.names)
            return rejoined.map { $0.name != old && $0.view.term >= newTerm } == true
                && cluster.view(on: old)?.role == "follower"
                && cluster.environmentNames(on: old)?.isSuperset(of: acknowledged) == true
        }, "\(old) did not rejoin as a follower with every acknowledged write")
        let caughtUpAfter = ContinuousClock.now - healedAt

        #expect(cluster.putAcknowledged("after-heal", on: [old]), "a write through the rejoined member was not acknowledged")
        acknowledged.insert("after-heal")
        for member in cluster.names {
            #expect(eventually { cluster.environmentNames(on: member)?.isSuperset(of: acknowledged) == true },
                    "\(member) lost writes")
            let seen = try #require(cluster.environmentNames(on: member), "\(member) did not answer")
            #expect(!seen.contains("refused-by-minority"),
                    "\(member) applied a write the cut-off leader refused")
        }
        for _ in 0..<5 { watch.sample() }
        return (rejoined, caughtUpAfter)
    }
}
