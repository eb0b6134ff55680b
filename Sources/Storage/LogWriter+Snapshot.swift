extension LogWriter {
    /// Saves `snapshot` durably, then records a marker in the log, then
    /// removes what no retained snapshot needs any more.
    ///
    /// The log after the snapshot follows Raft's InstallSnapshot rule: if the
    /// log holds `snapshot.index` with `snapshot.term`, the entries after it
    /// stay; otherwise the whole log is discarded and the next entry must be
    /// `snapshot.index + 1`.
    mutating func saveSnapshot(_ snapshot: SnapshotRecord) throws(StorageError) {
        precondition(snapshot.index >= 1, "a snapshot covers at least entry 1")
        try checkUsable()
        guard snapshot.index >= snapshotIndex else {
            throw .staleSnapshot(index: snapshot.index, newestIndex: snapshotIndex)
        }
        try snapshotStore.write(snapshot)
        // The snapshot is now what recovery will load; without its marker a
        // later append could be misread, so any failure from here on requires
        // a reopen.
        do throws(StorageError) {
            try writeBatch([.snapshotMarker(index: snapshot.index, term: snapshot.term)], hardState: nil)
        } catch {
            if failure == nil {
                let cause = "snapshot \(snapshot.index) was saved but its log marker was not: \(error)"
                failure = .unusable(path: snapshotStore.directory, cause: cause)
            }
            throw error
        }
        adopt(SnapshotPosition(index: snapshot.index, term: snapshot.term))
        try compact()
    }

    /// Moves the log's start to `position`, keeping the entries after it only
    /// if the log agrees with the snapshot at its index.
    private mutating func adopt(_ position: SnapshotPosition) {
        if term(at: position.index) == position.term {
            terms.removeFirst(Int(position.index - snapshotIndex))
        } else {
            terms = []
        }
        if let previous = newestSnapshot, previous.index != position.index {
            olderSnapshotIndex = previous.index
        }
        newestSnapshot = position
        noteIndex(position.index)
        assert(lastIndex >= position.index, "the log cannot end before its snapshot")
    }

    /// Keeps the newest two snapshots, and the segments from the older one on
    /// (so that a corrupt newest snapshot still has a complete fallback);
    /// removes the rest, oldest first, each removal made durable before the
    /// next, so that what remains after a crash is contiguous.
    private mutating func compact() throws(StorageError) {
        let kept = Set([snapshotIndex] + (olderSnapshotIndex.map { [$0] } ?? []))
        try snapshotStore.prune(keeping: kept)
        guard let boundary = olderSnapshotIndex else { return }
        var removedCount = 0
        defer { segments.removeFirst(removedCount) }
        while removedCount < segments.count - 1, segments[removedCount].highestIndex <= boundary {
            try StorageFiles.remove(segmentPath(segments[removedCount].sequence))
            removedCount += 1
            try StorageFiles.syncDirectory(walDirectory)
        }
    }
}
