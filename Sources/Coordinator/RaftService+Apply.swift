import Cluster
import Consensus
import Fleet

/// Committed entries and a leader's snapshots applied to the fleet state, each answer to a
/// waiting proposal held until the state it applied to is published (`process`).
extension RaftService {
    /// Takes a leader's snapshot in place of the whole fleet state.
    func restore(from snapshot: Snapshot) throws(ReplicationHalt) {
        fleet = try ReplicationHalt.decodeState(snapshot.data, index: snapshot.metadata.index)
        lastSnapshotIndex = snapshot.metadata.index
        directory = MemberDirectory(founding: founding, fleet: fleet)
        inventoryPublication.noteChanged()
        nodeAdministration.restored()
        // Events of entries the snapshot covers are lost to streams: each is told to reset,
        // once the view holding the snapshot is published.
        appliedEvents.restart(at: snapshot.metadata.index)
        logger.info("installed a snapshot from the leader", ["index": "\(snapshot.metadata.index)",
                                                             "term": "\(snapshot.metadata.term)",
                                                             "bytes": "\(snapshot.data.count)"])
    }

    /// Applies committed entries in order. A membership change applies the
    /// fleet command in its context (the member's registration), so both
    /// commit as one entry. Entries without a command (a leader's first
    /// entry, a membership change without context) only move the applied index.
    func apply(_ entries: [Entry]) throws(ReplicationHalt) {
        for entry in entries {
            let command = try ReplicationHalt.decodeCommand(of: entry)
            guard let command else {
                fleet.skip(entry.index)
                answerAfterPublish(waiters.resolve(index: entry.index, term: entry.term, outcome: nil))
                continue
            }
            let outcome = fleet.apply(command, at: entry.index)
            switch outcome {
            case .memberStored, .memberDeleted, .addressesPublished:
                directory = MemberDirectory(founding: founding, fleet: fleet)
            case .nodeStored: inventoryPublication.noteChanged()
            case .nodeDeleted: inventoryPublication.noteChanged(immediately: true)
            case let .clusterVersionRaised(version): logger.info("cluster version raised to \(version)")
            default:
                break
            }
            if let outcome {
                nodeAdministration.applied(outcome)
                deploymentMetrics.count(command, outcome, at: entry.index)
                if let event = FleetEvent(outcome: outcome, index: entry.index) { appliedEvents.append(event) }
            }
            answerAfterPublish(waiters.resolve(index: entry.index, term: entry.term, outcome: outcome))
        }
    }

    private func answerAfterPublish(_ answer: (() -> Void)?) {
        if let answer { answersAfterPublish.append(answer) }
    }
}
