/// The mutable side of a `WriteAheadLog`, kept behind its lock: the active
/// segment, what each older segment covers, and the terms of the entries after
/// the newest snapshot (all the log needs in memory to check appends and
/// snapshots; entries themselves are read back only at recovery).
struct LogWriter {
    /// Accepted `segmentSizeBytes`: small enough to read whole at recovery.
    static let segmentSizeRangeBytes = 1024...(1 << 30)
    /// The most one `append` may write, so a segment never outgrows
    /// `segmentSizeBytes` by more than this.
    static let appendBatchMaximumBytes = 64 << 20
    /// The largest segment file recovery will read.
    static let segmentFileMaximumBytes = segmentSizeRangeBytes.upperBound + appendBatchMaximumBytes + 4096

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

    mutating func append(entries: [LogEntryRecord], hardState newHardState: HardStateRecord?) throws(StorageError) {
        try checkUsable()
        guard !entries.isEmpty || newHardState != nil else { return }
        try validate(entries)
        var writer = ByteWriter()
        for entry in entries { try WALRecord.entry(entry).append(to: &writer) }
        if let newHardState { try WALRecord.hardState(newHardState).append(to: &writer) }
        guard writer.bytes.count <= Self.appendBatchMaximumBytes else {
            throw .batchTooLarge(bytes: writer.bytes.count, maximumBytes: Self.appendBatchMaximumBytes)
        }
        // As etcd's MustSync: a batch that only moves the commit index need
        // not be durable at once (a lost commit index is learned again from
        // the leader); entries, term and vote must be.
        let mustSync = !entries.isEmpty || newHardState?.term != hardState?.term
            || newHardState?.votedFor != hardState?.votedFor
        try rollIfFull()
        try write(writer.bytes, sync: mustSync)
        if let first = entries.first, let last = entries.last {
            terms.removeLast(Int(lastIndex + 1 - first.index))
            terms.append(contentsOf: entries.map(\.term))
            noteIndex(last.index)
            assert(lastIndex == last.index, "the log must end at the last appended entry")
        }
        if let newHardState { hardState = newHardState }
    }

    mutating func close() {
        try? active?.sync()
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

    /// Starts the next segment once the active one has reached its size.
    mutating func rollIfFull() throws(StorageError) {
        guard var current = active, current.sizeBytes >= segmentSizeBytes else { return }
        try current.sync()
        let next = try ActiveSegment.create(
            directory: walDirectory, sequence: current.sequence + 1, snapshot: newestSnapshot, hardState: hardState
        )
        current.close()
        active = next
        segments.append(SegmentSummary(sequence: next.sequence, highestIndex: snapshotIndex))
    }

    /// Appends (durably when `sync`); a failure that could not be rolled
    /// back makes the log unusable until reopened.
    mutating func write(_ bytes: [UInt8], sync: Bool = true) throws(StorageError) {
        do throws(StorageError) {
            try active!.append(bytes, sync: sync)
        } catch {
            if case .unusable = error { failure = error }
            throw error
        }
    }

    /// Records that the active segment now names `index`.
    mutating func noteIndex(_ index: UInt64) {
        segments[segments.count - 1].highestIndex = max(segments[segments.count - 1].highestIndex, index)
    }
}
