/// How the leader is replicating to one follower.
public enum ProgressState: Sendable, Equatable {
    /// One append at a time until the follower's match index is found.
    case probe
    /// Pipelining appends, bounded by the in-flight window.
    case replicate
    /// Waiting for the follower to install a snapshot.
    case snapshot
}

/// The leader's view of one follower (etcd's tracker.Progress): how much of the log it holds
/// (`match`), what to send next, its flow control, and what it last acknowledged for the lease.
struct Progress: Sendable {
    var match: UInt64 = 0
    var next: UInt64
    var state: ProgressState = .probe
    var pendingSnapshotIndex: UInt64 = 0
    var snapshotSentTick: UInt64 = 0
    /// In probe state: an append is outstanding, so wait for an answer or the next heartbeat.
    var probeSent = false
    /// Heard from in the current CheckQuorum window.
    var recentActive = false
    /// The largest send tick of the leader's this follower has echoed in this term.
    var leaseAckedTick: UInt64?
    var inflights: Inflights

    init(next: UInt64, inflightMessagesMaximum: Int, inflightBytesMaximum: Int) {
        precondition(next >= 1)
        self.next = next
        inflights = Inflights(capacityMessages: inflightMessagesMaximum, capacityBytes: inflightBytesMaximum)
    }

    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        // After a snapshot the follower holds at least the snapshot's entries.
        let floor = state == .snapshot ? max(match, pendingSnapshotIndex) : match
        state = .probe
        next = floor + 1
        resetFlow()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        resetFlow()
    }

    mutating func becomeSnapshot(index: UInt64, tick: UInt64) {
        state = .snapshot
        pendingSnapshotIndex = index
        snapshotSentTick = tick
        inflights.reset()
        probeSent = false
    }

    /// Records that the follower holds everything up to `index`; true if `match` moved.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        let updated = match < index
        if updated {
            match = index
            probeSent = false
        }
        next = max(next, index + 1)
        assert(next > match)
        return updated
    }

    /// Handles a rejection of the append that followed `rejected`; `matchHint` is the leader's
    /// guess of the highest index the follower may match. False when the rejection is stale.
    mutating func maybeDecrementTo(rejected: UInt64, matchHint: UInt64) -> Bool {
        switch state {
        case .replicate:
            guard rejected > match else { return false }
            next = match + 1
            return true
        case .probe:
            guard next - 1 == rejected else { return false }
            next = max(min(rejected, matchHint + 1), match + 1)
            probeSent = false
            assert(next >= 1 && next > match)
            return true
        case .snapshot:
            return false
        }
    }

    /// Records an append just sent whose last entry is `lastIndex` (nil when it carried none).
    mutating func sentEntries(lastIndex: UInt64?, bytes: Int) {
        switch state {
        case .replicate:
            if let lastIndex {
                precondition(lastIndex >= next, "an append must carry the next entries")
                next = lastIndex + 1
                inflights.add(index: lastIndex, bytes: bytes)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("no appends are sent to a follower installing a snapshot")
        }
    }

    private mutating func resetFlow() {
        probeSent = false
        pendingSnapshotIndex = 0
        inflights.reset()
    }
}
