/// Rebuilds the log from its records in write order. The rules mirror what
/// `WriteAheadLog` does when writing:
/// - an entry at `lastIndex + 1` extends the log; one at or below `lastIndex`
///   replaces everything from its index on — this is how Raft's
///   conflicting-suffix overwrite is stored, with no separate truncation
///   record (if it reaches below the first entry still on disk, the list
///   restarts with it);
/// - a snapshot marker at (i, t) keeps the entries after i if the log holds
///   entry i with term t, and otherwise discards the whole log, which then
///   starts after i (Raft's InstallSnapshot rule);
/// - a forward jump is refused as a corrupt record, naming its file and offset:
///   entries were written contiguously, so a valid record out of sequence
///   means the log was damaged in the middle.
struct LogReplay {
    /// The index before `entries[0]`; nil until the first entry (the oldest
    /// segments may have been compacted away, so it need not be 1).
    private(set) var baseIndex: UInt64?
    private(set) var entries: [LogEntryRecord] = []
    private(set) var hardState: HardStateRecord?
    /// Where the log's start was established, for error messages.
    private var baseFile = ""
    /// The newest snapshot the log records as saved: recovery must reach it.
    private var highestMarkerIndex: UInt64 = 0
    private var highestMarkerFile = ""

    mutating func apply(_ record: WALRecord, file: String, offset: Int) throws(StorageError) {
        switch record {
        case .segmentHeader, .batchHeader:
            return
        case let .hardState(state):
            hardState = state
        case let .entry(entry):
            try Self.checkRoomAfter(entry.index, file: file, offset: offset)
            try applyEntry(entry, file: file, offset: offset)
        case let .snapshotMarker(index, term):
            try Self.checkRoomAfter(index, file: file, offset: offset)
            applyMarker(index: index, term: term, file: file)
        }
    }

    /// No writer reaches the largest index (an entry per proposal), and the log after it would
    /// have no next index: a checksum-valid record carrying it is corruption, refused before the
    /// `last + 1` arithmetic below could trap on it.
    private static func checkRoomAfter(_ index: UInt64, file: String, offset: Int) throws(StorageError) {
        guard index < .max else {
            throw .corruptRecord(file: file, offset: offset, reason: "index \(index) is past any a writer reaches")
        }
    }

    private mutating func applyEntry(_ entry: LogEntryRecord, file: String, offset: Int) throws(StorageError) {
        guard entry.index >= 1 else {
            throw .corruptRecord(file: file, offset: offset, reason: "entry has index 0")
        }
        guard let base = baseIndex else {
            baseIndex = entry.index - 1
            baseFile = file
            entries = [entry]
            return
        }
        let last = base + UInt64(entries.count)
        guard entry.index <= last + 1 else {
            let reason = "entry \(entry.index) where entry \(last + 1) was expected: a gap in the middle of the log"
            throw .corruptRecord(file: file, offset: offset, reason: reason)
        }
        if entry.index <= base {
            // A rewrite reaching below the first entry still on disk: what it
            // replaced lived in segments compaction has removed, which held
            // only indices a retained snapshot covers (`entriesAfter` checks).
            baseIndex = entry.index - 1
            baseFile = file
            entries = [entry]
            return
        }
        entries.removeLast(Int(last + 1 - entry.index))
        entries.append(entry)
        assert(baseIndex! + UInt64(entries.count) == entry.index, "replayed entries must stay contiguous")
    }

    private mutating func applyMarker(index: UInt64, term: UInt64, file: String) {
        if index >= highestMarkerIndex {
            highestMarkerIndex = index
            highestMarkerFile = file
        }
        // Before any entry (older segments compacted away) the marker says
        // nothing about where the log starts: the next entry does.
        guard let base = baseIndex, index > base else { return }
        let last = base + UInt64(entries.count)
        if index <= last, entries[Int(index - base - 1)].term == term { return }
        baseIndex = index
        baseFile = file
        entries = []
    }

    /// The entries after `snapshot`, checked to follow on from it and to
    /// reach every snapshot the log says was saved (a corrupt newest snapshot
    /// is only survivable while the log still covers it). If the log holds
    /// the snapshot's index with another term (a crash after the snapshot was
    /// saved but before its marker), the log after it is stale and is
    /// discarded, as the marker would have done.
    func entriesAfter(_ snapshot: SnapshotRecord?) throws(StorageError) -> [LogEntryRecord] {
        let snapshotIndex = snapshot?.index ?? 0
        var kept: [LogEntryRecord] = []
        if let base = baseIndex {
            guard base <= snapshotIndex else {
                throw .gap(expectedIndex: snapshotIndex + 1, foundIndex: base + 1, file: baseFile)
            }
            let covered = snapshotIndex - base
            if covered <= UInt64(entries.count) {
                let skipped = Int(covered)
                let agrees = snapshot == nil || skipped == 0 || entries[skipped - 1].term == snapshot!.term
                kept = agrees ? Array(entries[skipped...]) : []
            }
        }
        let recoveredLastIndex = kept.last?.index ?? snapshotIndex
        guard recoveredLastIndex >= highestMarkerIndex else {
            throw .gap(expectedIndex: recoveredLastIndex + 1, foundIndex: highestMarkerIndex, file: highestMarkerFile)
        }
        return kept
    }
}
