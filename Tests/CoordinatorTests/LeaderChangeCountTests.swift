import Cluster
@testable import Coordinator
import Observability
import Testing

/// `hotswap_raft_leader_changes_total` counts each new leader in the views Raft publishes: another
/// member, or the same one in a later term; not a view without a leader, nor a repeat, nor the same
/// term's leader shown under another name (`node-ID` until the membership naming it is applied).
struct LeaderChangeCountTests {
    @Test func countsEachNewLeaderOrTermOnce() {
        let metrics = MetricsRegistry()
        let count = LeaderChangeCount(metrics: metrics)
        #expect(metrics.value("hotswap_raft_leader_changes_total") == 0)
        let steps: [(leader: String?, term: UInt64, expected: Double)] = [
            (nil, 1, 0),   // campaigning: no leader known
            ("c1", 1, 1),  // c1 elected
            ("c1", 1, 1),  // the same view again (a lease withdrawn, a new commit index)
            ("node-7", 2, 2),  // elected in term 2, shown by id: its membership not yet applied here
            ("c7", 2, 2),  // the same leader, now named
            (nil, 3, 2),   // c7 lost; an election under way
            ("c2", 3, 3),  // c2 elected
            ("c2", 4, 4),  // c2 again, in a later term
            ("c1", 5, 5),  // back to c1
            ("c2", 4, 5),  // an older view after a newer one: not counted
            (nil, 6, 5),   // c1 lost
            ("c1", 6, 6),  // c1 again in term 6
            ("c1", 6, 6),  // heard again in the same term
        ]
        for step in steps {
            var view = ClusterView(selfName: "c1", directory: MemberDirectory(founding: ClusterTopology(members: [])))
            view.leaderName = step.leader
            view.term = step.term
            count.follow(view)
            #expect(metrics.value("hotswap_raft_leader_changes_total") == step.expected, "\(step)")
        }
    }
}
