@testable import Consensus

/// A node's disk: what survives a crash. It changes only when the simulator processes the
/// node's `Ready` (or the node compacts), never when the node merely steps.
struct SimulatedDisk {
    var hardState = HardState.empty
    var snapshot: Snapshot?
    /// Contiguous entries after the snapshot's index.
    var entries: [Entry] = []

    var persistentState: PersistentState {
        PersistentState(hardState: hardState, snapshot: snapshot, entries: entries)
    }

    var snapshotIndex: UInt64 { snapshot?.metadata.index ?? 0 }
    var lastIndex: UInt64 { snapshotIndex + UInt64(entries.count) }

    func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshot?.metadata.term ?? 0 }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    /// Replaces the whole log with a snapshot received from a leader.
    mutating func install(_ newSnapshot: Snapshot) {
        snapshot = newSnapshot
        entries = []
    }

    /// Appends entries, replacing any at or after the first one's index.
    mutating func append(_ newEntries: [Entry]) throws(SimulationFailure) {
        guard let first = newEntries.first?.index else { return }
        guard first > snapshotIndex, first <= lastIndex + 1 else {
            throw SimulationFailure("persisting entry \(first) would leave a gap (disk \(snapshotIndex)...\(lastIndex))")
        }
        entries.removeSubrange(Int(first - snapshotIndex - 1)...)
        entries.append(contentsOf: newEntries)
    }

    /// The node compacted its log into `newSnapshot`.
    mutating func compact(into newSnapshot: Snapshot) {
        let index = newSnapshot.metadata.index
        guard index > snapshotIndex else { return }
        let dropped = Int(min(index, lastIndex) - snapshotIndex)
        entries.removeFirst(dropped)
        snapshot = newSnapshot
    }
}

/// A broken invariant (or an impossible simulator state), with what was seen.
struct SimulationFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
