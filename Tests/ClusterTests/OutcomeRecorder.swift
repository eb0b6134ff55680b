import Cluster
import Locking

/// Collects the outcomes completions receive, in order, from any thread.
final class OutcomeRecorder: Sendable {
    private let outcomes = Locked<[String: [ClusterOutcome]]>([:])

    func completion(_ name: String) -> @Sendable (ClusterOutcome) -> Void {
        { outcome in self.outcomes.withLock { $0[name, default: []].append(outcome) } }
    }

    func outcomes(_ name: String) -> [ClusterOutcome] {
        outcomes.withLock { $0[name] ?? [] }
    }
}
