import Cluster
import Fleet

/// What `readSavedSnapshot` answers.
enum SavedSnapshotAnswer: Sendable {
    case snapshot(SavedSnapshot)
    case refused(ClusterRefusal)
}

/// `GET /api/v1/snapshot`'s read: the whole fleet state at a linearizable read point.
extension RaftService {
    /// Waits for a linearizable read point (`read`), then encodes this member's applied fleet
    /// state, which is at or past it. The term is this member's current term, at or above the
    /// term of the entry at that index. `completion` runs on the Raft loop.
    func readSavedSnapshot(completion: @escaping @Sendable (SavedSnapshotAnswer) -> Void) {
        read { [self] answer in
            switch answer {
            case let .refused(refusal):
                completion(.refused(refusal))
            case .view:
                loop.preconditionInLoop()
                completion(.snapshot(SavedSnapshot(index: fleet.appliedIndex, term: node.status.term,
                                                  data: FleetCodec.encode(fleet))))
            }
        }
    }
}
