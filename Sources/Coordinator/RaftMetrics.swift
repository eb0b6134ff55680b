import Cluster
import Fleet
import Locking
import Observability
import Transport

/// Raft's state on `/metrics`, read from the published view at scrape time, and the deployments it holds.
enum RaftMetrics {
    static func register(in metrics: MetricsRegistry, raft: RaftService) {
        metrics.gaugeFunction("hotswap_raft_term", help: "The current Raft term as this coordinator knows it.") {
            Double(raft.view.term)
        }
        metrics.gaugeFunction("hotswap_raft_commit_index", help: "The highest log index known committed.") {
            Double(raft.view.commitIndex)
        }
        metrics.gaugeFunction("hotswap_raft_applied_index", help: "The highest log index applied to the fleet state.") {
            Double(raft.view.appliedIndex)
        }
        metrics.gaugeFunction("hotswap_raft_is_leader", help: "1 while this coordinator acts as leader (role leader, lease valid).") {
            raft.view.isActingLeader ? 1 : 0
        }
        metrics.gaugeFunction("hotswap_audit_records", help: "Records in the replicated audit trail.") {
            Double(raft.view.audit.count)
        }
        let kinds: [(String, @Sendable (AuditTrail) -> UInt64)] = [("login", { $0.droppedLogins }), ("write", { $0.droppedWrites })]
        for (kind, dropped) in kinds {
            metrics.gaugeFunction("hotswap_audit_records_dropped", help: "Audit records dropped because their share of the trail "
                                  + "was full, by kind: login (auth.login) or write (replicated: the same on every coordinator).",
                                  labels: [("kind", kind)]) {
                Double(dropped(raft.view.audit))
            }
        }
        metrics.gaugeFunction("hotswap_raft_lease_remaining_seconds", help: "Time left on this leader's lease; 0 when not leader.") {
            Double(raft.view.leaseRemainingMilliseconds) / 1_000
        }
        DeploymentMetrics.registerGauges(in: metrics) { Array(raft.view.deployments.values) }
    }
}

/// Counts in `hotswap_raft_leader_changes_total` each new leader this coordinator learns of from
/// Raft's published views: another member, or the same one elected again in a later term. A term
/// has at most one leader, so a leader is new when it is known in a later term than the last one
/// counted (how its name is shown may change within a term, as the membership is applied). A
/// lease that keeps lapsing ends in new elections, so this is what a flapping cluster raises.
final class LeaderChangeCount: Sendable {
    private let counter: Counter
    private let countedTerm = Locked<UInt64?>(nil)

    init(metrics: MetricsRegistry) {
        counter = metrics.counter("hotswap_raft_leader_changes_total",
                                  help: "New leaders this coordinator learned of (another member, or the same in a later term).")
    }

    func follow(_ view: ClusterView) {
        guard view.isLeaderKnown else { return }
        let isNew = countedTerm.withLock { counted in
            guard counted.map({ view.term > $0 }) ?? true else { return false }
            counted = view.term
            return true
        }
        if isNew { counter.increment() }
    }
}
