/// The node's whole log (etcd's log.go): the latest durable snapshot, the durable entries after
/// it (held in memory, as etcd's MemoryStorage), the unstable tail, and the commit and apply
/// marks. Invariants: `stableOffset + stable.count == unstable.offset`;
/// `applied <= applying <= committed <= lastIndex`; `committed` never decreases.
struct RaftLog: Sendable {
    /// Most entries one read of the log returns; bounds every per-call loop.
    static let entriesPerReadMaximum = 1 << 14

    /// Outcome of an append request from a leader.
    enum AppendOutcome: Equatable {
        /// Log now matches the leader's through `lastNewIndex`; entries from `firstWrittenIndex`
        /// on were written (nil when all were already present).
        case appended(lastNewIndex: UInt64, firstWrittenIndex: UInt64?)
        case mismatch
        /// The leader would overwrite a committed entry; only a broken peer sends this.
        case conflictsWithCommitted
    }

    private(set) var snapshot: Snapshot?
    private(set) var stable: [Entry]
    private(set) var stableOffset: UInt64
    private(set) var unstable: UnstableLog
    private(set) var committed: UInt64
    /// The highest index handed to the application in a `Ready`.
    private(set) var applying: UInt64
    private(set) var applied: UInt64

    /// `entries` must be contiguous from the snapshot's index + 1 (or 1).
    init(snapshot: Snapshot?, entries: [Entry], committed: UInt64) {
        let snapshotIndex = snapshot?.metadata.index ?? 0
        precondition(entries.first.map { $0.index == snapshotIndex + 1 } ?? true)
        self.snapshot = snapshot
        stable = entries
        stableOffset = snapshotIndex + 1
        unstable = UnstableLog(offset: snapshotIndex + 1 + UInt64(entries.count))
        applied = snapshotIndex
        applying = snapshotIndex
        self.committed = max(committed, snapshotIndex)
        precondition(self.committed <= lastIndex)
    }

    var firstIndex: UInt64 { unstable.snapshot.map { $0.metadata.index + 1 } ?? stableOffset }
    var lastIndex: UInt64 { unstable.lastIndex ?? unstable.offset - 1 }
    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }
    /// The last index the caller has made durable (the snapshot's when one is pending).
    var persistedLastIndex: UInt64 { unstable.snapshot == nil ? unstable.offset - 1 : 0 }
    var hasPendingSnapshot: Bool { unstable.snapshot != nil }

    /// The term of the entry at `index`; nil when compacted away or beyond the log. The entry
    /// just before `firstIndex` is the snapshot's.
    func term(at index: UInt64) -> UInt64? {
        guard index + 1 >= firstIndex, index <= lastIndex else { return nil }
        if index + 1 == firstIndex {
            return unstable.snapshot?.metadata.term ?? snapshot?.metadata.term ?? 0
        }
        if index >= unstable.offset { return unstable.term(at: index) }
        return stable[Int(index - stableOffset)].term
    }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool {
        self.term(at: index) == term
    }

    func entry(at index: UInt64) -> Entry {
        precondition(index >= firstIndex && index <= lastIndex, "no entry at \(index)")
        if index >= unstable.offset { return unstable.entry(at: index) }
        return stable[Int(index - stableOffset)]
    }

    /// Entries from `low` on, at least one when any exist, within `bytesMaximum`;
    /// nil when `low` was compacted away.
    func entries(from low: UInt64, bytesMaximum: Int) -> [Entry]? {
        guard low >= firstIndex else { return nil }
        var result: [Entry] = []
        var bytes = 0
        var index = low
        while index <= lastIndex && result.count < RaftLog.entriesPerReadMaximum {
            let next = entry(at: index)
            if !result.isEmpty && bytes + next.sizeBytes > bytesMaximum { break }
            result.append(next)
            bytes += next.sizeBytes
            index += 1
        }
        return result
    }

    /// Raft's "at least as up to date" comparison of a candidate's last entry with ours (§5.4.1).
    func isUpToDate(lastIndex candidateIndex: UInt64, lastTerm candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// The first index at which `entries` disagree with the log (or run past it); 0 if none.
    func findConflict(_ entries: [Entry]) -> UInt64 {
        for entry in entries where !matchTerm(entry.index, entry.term) {
            return entry.index
        }
        return 0
    }

    /// The largest index at or below `index` whose term is at most `term`, with that term
    /// (etcd's findConflictByTerm): where a leader and follower may next agree.
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        precondition(index <= lastIndex)
        var probe = index
        for _ in 0...(index - min(index, firstIndex - 1)) {
            guard let probeTerm = self.term(at: probe) else { return (probe, 0) }
            if probeTerm <= term || probe == 0 { return (probe, probeTerm) }
            probe -= 1
        }
        return (probe, self.term(at: probe) ?? 0)
    }

    /// A follower's append: checks the entry before `entries`, drops conflicting ones, appends.
    mutating func maybeAppend(
        previousIndex: UInt64, previousTerm: UInt64, leaderCommit: UInt64, entries: [Entry]
    ) -> AppendOutcome {
        guard matchTerm(previousIndex, previousTerm) else { return .mismatch }
        let lastNewIndex = previousIndex + UInt64(entries.count)
        let conflict = findConflict(entries)
        var written: UInt64?
        if conflict != 0 {
            guard conflict > committed else { return .conflictsWithCommitted }
            append(Array(entries[Int(conflict - previousIndex - 1)...]))
            written = conflict
        }
        commit(to: min(leaderCommit, lastNewIndex))
        assert(matchTerm(lastNewIndex, entries.last?.term ?? previousTerm))
        return .appended(lastNewIndex: lastNewIndex, firstWrittenIndex: written)
    }

    /// Appends contiguous entries, dropping any uncommitted ones they replace.
    mutating func append(_ entries: [Entry]) {
        guard let first = entries.first?.index else { return }
        precondition(first > committed, "entry \(first) would overwrite the committed log (commit \(committed))")
        precondition(first <= lastIndex + 1, "entry \(first) would leave a gap after \(lastIndex)")
        if first < unstable.offset {
            stable.removeLast(Int(unstable.offset - first))
        }
        unstable.truncateAndAppend(entries)
        assert(stableOffset + UInt64(stable.count) == unstable.offset)
        assert(lastIndex == entries[entries.count - 1].index)
    }

    mutating func commit(to index: UInt64) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "cannot commit \(index) beyond the last index \(lastIndex)")
        committed = index
    }

    /// Commits `index` only if its entry is from `term` (a leader commits by counting replicas
    /// only entries of its own term, §5.4.2).
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed, self.term(at: index) == term else { return false }
        commit(to: index)
        return true
    }

    /// Committed entries not yet handed to the application start after this.
    private var applyFloor: UInt64 { max(applying, unstable.snapshot?.metadata.index ?? 0) }

    var hasCommittedEntriesToApply: Bool { committed > applyFloor }

    mutating func takeCommittedEntries(countMaximum: Int) -> [Entry] {
        let floor = applyFloor
        guard committed > floor else { return [] }
        let last = min(committed, floor + UInt64(countMaximum))
        var result: [Entry] = []
        result.reserveCapacity(Int(last - floor))
        for index in (floor + 1)...last { result.append(entry(at: index)) }
        applying = last
        return result
    }

    /// The application took `index` in hand (a snapshot it restores from).
    mutating func markApplying(_ index: UInt64) {
        applying = max(applying, index)
    }

    mutating func markApplied(_ index: UInt64) {
        precondition(index <= applying, "cannot apply \(index) before it was handed out (\(applying))")
        applied = max(applied, index)
    }

    mutating func stableTo(index: UInt64, term: UInt64) {
        stable.append(contentsOf: unstable.stableTo(index: index, term: term))
        assert(stableOffset + UInt64(stable.count) == unstable.offset)
    }

    mutating func stableSnapshotTo(index: UInt64) {
        guard let persisted = unstable.stableSnapshot(index: index) else { return }
        snapshot = persisted
        assert(stable.isEmpty && stableOffset == index + 1)
    }

    /// A follower installs a leader's snapshot in place of its whole log.
    mutating func restore(_ newSnapshot: Snapshot) {
        precondition(newSnapshot.metadata.index > committed, "a snapshot must move the commit index forward")
        committed = newSnapshot.metadata.index
        unstable.restore(newSnapshot)
        stable = []
        stableOffset = newSnapshot.metadata.index + 1
        assert(lastIndex == committed && firstIndex == committed + 1)
    }

    /// The application snapshotted its state through `index`: drop the durable entries it covers.
    mutating func compact(upTo index: UInt64, data: [UInt8], membership: Membership) {
        precondition(index <= applied, "compact(upTo: \(index)) beyond the applied index \(applied)")
        precondition(index >= firstIndex && index < unstable.offset && unstable.snapshot == nil)
        let term = term(at: index) ?? 0
        snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: data)
        stable.removeFirst(Int(index - stableOffset) + 1)
        stableOffset = index + 1
        assert(firstIndex == index + 1 && self.term(at: index) == term)
    }
}
