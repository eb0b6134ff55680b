import Storage

/// The in-memory reference the property test checks the log against: Raft's
/// log rules written as plainly as possible.
struct LogModel {
    var snapshot: SnapshotRecord?
    /// Entries after the snapshot, contiguous.
    var entries: [LogEntryRecord] = []
    var hardState: HardStateRecord?

    var snapshotIndex: UInt64 { snapshot?.index ?? 0 }
    var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }

    func term(at index: UInt64) -> UInt64? {
        if let snapshot, snapshot.index == index { return snapshot.term }
        return entries.first { $0.index == index }?.term
    }

    mutating func append(_ new: [LogEntryRecord], hardState newHardState: HardStateRecord?) {
        if let first = new.first {
            entries.removeAll { $0.index >= first.index }
            entries += new
        }
        if let newHardState { hardState = newHardState }
    }

    mutating func save(_ newSnapshot: SnapshotRecord) {
        if term(at: newSnapshot.index) == newSnapshot.term {
            entries.removeAll { $0.index <= newSnapshot.index }
        } else {
            entries = []
        }
        snapshot = newSnapshot
    }
}

/// Which hard state is on disk: one that only moves the commit index is
/// written with the next batch, so a crash before then loses it.
struct HardStateTracker {
    var written: HardStateRecord?
    var unwritten: HardStateRecord?

    mutating func accepted(_ state: HardStateRecord, previous: HardStateRecord?) {
        if state.term == previous?.term, state.votedFor == previous?.votedFor {
            unwritten = state
        } else {
            batchWritten(state)
        }
    }

    mutating func batchWritten(_ state: HardStateRecord?) {
        written = state ?? unwritten ?? written
        unwritten = nil
    }

    /// The hard state recovery finds after a crash.
    mutating func crashed() -> HardStateRecord? {
        unwritten = nil
        return written
    }
}
