import Cluster
@testable import Coordinator
import Observability
import Testing

/// `hotswap_raft_leader_changes_total` counts each new leader in the views Raft publishes: another
/// member, or the same one in a later term; not a view without a leader, nor a repeat.
struct LeaderChangeCountTests {
    @Test func countsEachNewLeaderOrTermOnce() {
        let metrics = MetricsRegistry()
        let count = LeaderChangeCount(metrics: metrics)
        #expect(metrics.value("hotswap_raft_leader_changes_total") == 0)
        let steps: [(leader: String?, term: UInt64, expected: Double)] = [
            (nil, 1, 0),   // campaigning: no leader known
            ("c1", 1, 1),  // c1 elected
            ("c1", 1, 1),  // the same view again (a lease withdrawn, a new commit index)
            (nil, 2, 1),   // c1 lost; an election under way
            ("c2", 2, 2),  // c2 elected
            ("c2", 3, 3),  // c2 again, in a later term
            ("c1", 4, 4),  // back to c1
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
