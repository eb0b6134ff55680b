/// The mutable side of a `WriteAheadLog`, kept behind its lock: the active
/// segment, what each older segment covers, and the terms of the entries after
/// the newest snapshot (all the log needs in memory to check appends and
/// snapshots; entries themselves are read back only at recovery).
struct LogWriter {
    /// Accepted `segmentSizeBytes`: small enough to read whole at recovery.
    static let segmentSizeRangeBytes = 1024...(1 << 30)
    /// The largest segment file recovery will read: a segment outgrows
    /// `segmentSizeBytes` by at most one batch.
    static let segmentFileMaximumBytes = segmentSizeRangeBytes.upperBound + WALBatch.recordBytesMaximum + 4096

    /// A segment on disk and the highest log index any of its records names.
    struct SegmentSummary {
        let sequence: UInt64
        var highestIndex: UInt64
    }

    /// Where a snapshot sits in the log.
    struct SnapshotPosition {
        var index: UInt64
        var term: UInt64
    }

    let walDirectory: String
    let snapshotStore: SnapshotStore
    let segmentSizeBytes: Int
    /// Oldest first; the last one is `active`.
    var segments: [SegmentSummary]
    /// nil once closed.
    var active: ActiveSegment?
    var newestSnapshot: SnapshotPosition?
    /// The other snapshot kept on disk, the fallback if the newest goes bad;
    /// segments are kept back to it so that the fallback has its log.
    var olderSnapshotIndex: UInt64?
    /// Terms of entries `snapshotIndex + 1 ... lastIndex`.
    var terms: [UInt64]
    var hardState: HardStateRecord?
    /// A hard state that only moved the commit index, not yet written: the
    /// next batch (or segment) carries it.
    var unwrittenHardState: HardStateRecord?
    /// Set when a failure left disk and memory possibly disagreeing.
    var failure: StorageError?

    var snapshotIndex: UInt64 { newestSnapshot?.index ?? 0 }
    var lastIndex: UInt64 { snapshotIndex + UInt64(terms.count) }

    func segmentPath(_ sequence: UInt64) -> String {
        FileName.join(walDirectory, FileName.segment(sequence: sequence))
    }

    /// The term of the entry at `index`, if the log (or its snapshot) knows it.
    func term(at index: UInt64) -> UInt64? {
        if let newestSnapshot, index == newestSnapshot.index { return newestSnapshot.term }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return terms[Int(index - snapshotIndex - 1)]
    }

    func checkUsable() throws(StorageError) {
        if let failure { throw failure }
        guard active != nil else { throw .closed }
    }

    /// True when it wrote and fdatasync'd a batch; false when there was nothing to write or only a
    /// commit index to hold back (see below).
    @discardableResult
    mutating func append(entries: [LogEntryRecord], hardState newHardState: HardStateRecord?) throws(StorageError) -> Bool {
        try checkUsable()
        guard !entries.isEmpty || newHardState != nil else { return false }
        try validate(entries)
        // As etcd's MustSync: a batch that only moves the commit index need
        // not be durable at once (a lost commit index is learned again from
        // the leader); entries, term and vote must be. It is not written
        // until the next batch, so that every batch written is fdatasync'd
        // before the next one starts (see `ActiveSegment`).
        let mustSync = !entries.isEmpty || newHardState?.term != hardState?.term
            || newHardState?.votedFor != hardState?.votedFor
        guard mustSync else {
            hardState = newHardState
            unwrittenHardState = newHardState
            return false
        }
        try writeBatch(entries.map(WALRecord.entry), hardState: newHardState)
        if let first = entries.first, let last = entries.last {
            terms.removeLast(Int(lastIndex + 1 - first.index))
            terms.append(contentsOf: entries.map(\.term))
            noteIndex(last.index)
            assert(lastIndex == last.index, "the log must end at the last appended entry")
        }
        if let newHardState { hardState = newHardState }
        return true
    }

    /// Writes a commit index still waiting for a batch (see `append`).
    mutating func flush() throws(StorageError) {
        try checkUsable()
        guard let unwrittenHardState else { return }
        try writeBatch([], hardState: unwrittenHardState)
    }

    /// Closes the active segment. A commit index still waiting for a batch is
    /// not written: it never had to be durable (`flush` writes it first).
    mutating func close() {
        active?.close()
        active = nil
    }

    /// Entries must follow on from each other, start no later than
    /// `lastIndex + 1`, and rewrite nothing the snapshot covers.
    private func validate(_ entries: [LogEntryRecord]) throws(StorageError) {
        guard let first = entries.first else { return }
        let path = active!.path
        guard first.index > snapshotIndex else {
            throw .conflictsWithSnapshot(index: first.index, snapshotIndex: snapshotIndex)
        }
        guard first.index <= lastIndex + 1 else {
            throw .gap(expectedIndex: lastIndex + 1, foundIndex: first.index, file: path)
        }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.index != previous.index + 1 {
            throw .gap(expectedIndex: previous.index + 1, foundIndex: next.index, file: path)
        }
    }

    /// Writes `records`, then `newHardState` or else a commit-only hard state
    /// not yet written, as one durable batch.
    mutating func writeBatch(_ records: [WALRecord], hardState newHardState: HardStateRecord?) throws(StorageError) {
        let state = newHardState ?? unwrittenHardState
        let batch = try WALBatch(records + (state.map { [.hardState($0)] } ?? []))
        try rollIfFull()
        do throws(StorageError) {
            try active!.append(batch)
        } catch {
            if case .unusable = error { failure = error }
            throw error
        }
        unwrittenHardState = nil
    }

    /// Starts the next segment once the active one has reached its size; it
    /// begins with the current hard state, so none is left unwritten.
    mutating func rollIfFull() throws(StorageError) {
        guard var current = active, current.sizeBytes >= segmentSizeBytes else { return }
        let next = try ActiveSegment.create(
            directory: walDirectory, sequence: current.sequence + 1, firstBatchSequence: current.nextBatchSequence,
            snapshot: newestSnapshot, hardState: hardState
        )
        current.close()
        active = next
        unwrittenHardState = nil
        segments.append(SegmentSummary(sequence: next.sequence, highestIndex: snapshotIndex))
    }

    /// Records that the active segment now names `index`.
    mutating func noteIndex(_ index: UInt64) {
        segments[segments.count - 1].highestIndex = max(segments[segments.count - 1].highestIndex, index)
    }
}
