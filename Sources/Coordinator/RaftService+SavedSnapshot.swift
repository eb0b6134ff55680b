import Cluster
import Fleet

/// This member's applied fleet state at a linearizable read point, taken on the Raft loop to be
/// encoded elsewhere. `FleetState` is a value all the way down (structs, enums, arrays and
/// dictionaries; no class the loop mutates), so taking it shares the loop's storage, and the
/// loop's next writes copy what they change instead of touching what this holds.
struct CapturedFleetState: Sendable {
    let state: FleetState
    /// This member's current term, at or above the term of the entry at `state.appliedIndex`.
    let term: UInt64

    var index: UInt64 { state.appliedIndex }
}

/// What `readFleetState` answers.
enum FleetStateAnswer: Sendable {
    case state(CapturedFleetState)
    case refused(ClusterRefusal)
}

/// `GET /api/v1/snapshot`'s read: the whole fleet state at a linearizable read point.
extension RaftService {
    /// Waits for a linearizable read point (`read`), then takes this member's applied fleet
    /// state, which is at or past it. `completion` runs on the Raft loop and must only hand the
    /// state on: encoding a large fleet there would stall heartbeats and the lease, so this
    /// answers the state, never its bytes (`SnapshotSaves` encodes it on its own thread).
    func readFleetState(completion: @escaping @Sendable (FleetStateAnswer) -> Void) {
        read { [self] answer in
            switch answer {
            case let .refused(refusal):
                completion(.refused(refusal))
            case .view:
                loop.preconditionInLoop()
                completion(.state(CapturedFleetState(state: fleet, term: node.status.term)))
            }
        }
    }
}
