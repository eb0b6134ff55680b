extension RaftNode {
    var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    var softState: SoftState { SoftState(role: role, leader: leader) }

    /// Whether `ready()` has anything for the caller. False while a `Ready` is outstanding.
    public var hasReady: Bool {
        guard !isReadyOutstanding else { return false }
        // One test per line, no `||`: this runs after every simulated event, and in debug
        // builds each `||` operand is an autoclosure that copies the whole node.
        if term != persistedHardState.term { return true }
        if vote != persistedHardState.vote { return true }
        if log.committed != persistedHardState.commit { return true }
        if role != reportedSoftState.role { return true }
        if leader != reportedSoftState.leader { return true }
        if !outbox.isEmpty { return true }
        if !readStates.isEmpty { return true }
        if !log.unstable.entries.isEmpty { return true }
        if log.hasPendingSnapshot { return true }
        return log.hasCommittedEntriesToApply
    }

    /// Everything the caller must do now (see `Ready` for the order). Call `advance(_:)` with it
    /// before asking for the next one; `tick()` and `step(_:)` may be called in between.
    public mutating func ready() -> Ready {
        precondition(!isReadyOutstanding, "call advance(_:) with the previous Ready first")
        var ready = Ready()
        let currentHardState = hardState
        if currentHardState != persistedHardState { ready.hardState = currentHardState }
        ready.entriesToPersist = log.unstable.entries
        ready.snapshotToPersist = log.unstable.snapshot
        if let snapshot = ready.snapshotToPersist { log.markApplying(snapshot.metadata.index) }
        ready.committedEntries = log.takeCommittedEntries(countMaximum: RaftNode.committedEntriesPerReadyMaximum)
        let isTermDurable = term == persistedHardState.term && vote == persistedHardState.vote
        for message in outbox {
            if isTermDurable && mayPrecedePersistence(message) {
                ready.messages.append(message)
            } else {
                ready.messagesAfterPersist.append(message)
            }
        }
        outbox = []
        ready.readStates = readStates
        readStates = []
        let currentSoftState = softState
        if currentSoftState != reportedSoftState {
            ready.softState = currentSoftState
            reportedSoftState = currentSoftState
        }
        isReadyOutstanding = true
        return ready
    }

    /// Whether `message` may leave before the Ready that carries it is durable, given that the
    /// term and vote it was sent in already are. Only a leader's appends and heartbeats may: the
    /// leader counts its own entries towards a commit only once they are durable
    /// (`leaderDidPersist`), so its disk write can overlap the followers' (dissertation
    /// §10.2.1). The entries up to the commit index they carry must be durable here, so that
    /// no follower learns of a commit whose entries this node could lose. Votes and answers
    /// always wait: a vote, an acknowledged entry or a term a crash could take back would let
    /// this node promise twice.
    func mayPrecedePersistence(_ message: Message) -> Bool {
        guard message.kind == .append || message.kind == .heartbeat else { return false }
        return message.commit <= log.persistedLastIndex
    }

    /// The caller persisted, sent and applied what `ready` asked for.
    public mutating func advance(_ ready: Ready) {
        precondition(isReadyOutstanding, "advance(_:) without an outstanding Ready")
        isReadyOutstanding = false
        if let persisted = ready.hardState { persistedHardState = persisted }
        if let snapshot = ready.snapshotToPersist {
            log.stableSnapshotTo(index: snapshot.metadata.index)
            log.markApplied(snapshot.metadata.index)
        }
        if let last = ready.entriesToPersist.last { log.stableTo(index: last.index, term: last.term) }
        if let last = ready.committedEntries.last { log.markApplied(last.index) }
        if role == .leader { leaderDidPersist() }
        assert(log.applied <= log.committed)
    }

    /// The application saved a snapshot of its state machine through `index` (at most the
    /// applied index): the log before it is dropped, and followers that need it get the snapshot.
    /// Returns the snapshot made — the term of the entry at `index` and the membership in force
    /// there, not the current ones — which the caller must persist exactly as given; nil when
    /// `index` is stale (nothing changed, nothing to persist).
    public mutating func compact(upTo index: UInt64, snapshotData: [UInt8]) -> Snapshot? {
        precondition(index <= log.applied, "compact(upTo: \(index)) beyond the applied index \(log.applied)")
        guard index >= log.firstIndex, index < log.unstable.offset, !log.hasPendingSnapshot else { return nil }
        log.compact(upTo: index, data: snapshotData, membership: memberships.membership(at: index))
        memberships.compacted(through: index)
        assert(log.firstIndex == index + 1 && log.snapshot?.metadata.index == index)
        return log.snapshot
    }
}
