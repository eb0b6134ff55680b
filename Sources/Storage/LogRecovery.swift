/// Opens a data directory: loads the newest valid snapshot, replays every
/// segment in order, cuts a torn tail, and starts a fresh segment for appends
/// (the old ones are never written again).
enum LogRecovery {
    static func open(directory: String, segmentSizeBytes: Int) throws(StorageError) -> (LogWriter, RecoveredLog) {
        precondition(
            LogWriter.segmentSizeRangeBytes.contains(segmentSizeBytes),
            "segmentSizeBytes \(segmentSizeBytes) is outside \(LogWriter.segmentSizeRangeBytes)"
        )
        let walDirectory = FileName.join(directory, FileName.walDirectory)
        let snapshotStore = SnapshotStore(directory: FileName.join(directory, FileName.snapshotDirectory))
        for path in [directory, walDirectory, snapshotStore.directory] { try StorageFiles.makeDirectory(path) }

        let loaded = try snapshotStore.loadNewest()
        var replay = LogReplay()
        var segments: [LogWriter.SegmentSummary] = []
        var lastSegment: SegmentRecovery?
        let sequences = try segmentSequences(walDirectory)
        // Batches are numbered from 1 in segment 1; after compaction the
        // first remaining batch fixes the numbering.
        var nextBatchSequence: UInt64? = sequences.first == 1 ? 1 : nil
        for (position, sequence) in sequences.enumerated() {
            let path = FileName.join(walDirectory, FileName.segment(sequence: sequence))
            let isLast = position == sequences.count - 1
            let segment = try SegmentRecovery.read(
                path: path, sequence: sequence, isLast: isLast, nextBatchSequence: nextBatchSequence)
            nextBatchSequence = segment.nextBatchSequence
            if isLast { lastSegment = segment }
            if segment.isEmpty {
                assert(isLast, "only the last segment may be empty")
                continue
            }
            var summary = LogWriter.SegmentSummary(sequence: sequence, highestIndex: 0)
            for located in segment.records {
                try replay.apply(located.record, file: path, offset: located.offset)
                summary.highestIndex = max(summary.highestIndex, highestIndex(of: located.record))
            }
            segments.append(summary)
        }
        let entries = try replay.entriesAfter(loaded.newest)
        // Only now that the whole log has replayed is anything on disk changed.
        let truncatedBytes = try lastSegment?.repair(walDirectory: walDirectory) ?? 0

        let snapshot = loaded.newest.map { LogWriter.SnapshotPosition(index: $0.index, term: $0.term) }
        let nextSequence = (segments.last?.sequence ?? 0) + 1
        let active = try ActiveSegment.create(
            directory: walDirectory, sequence: nextSequence, firstBatchSequence: nextBatchSequence ?? 1,
            snapshot: snapshot, hardState: replay.hardState
        )
        segments.append(LogWriter.SegmentSummary(sequence: nextSequence, highestIndex: snapshot?.index ?? 0))
        let writer = LogWriter(
            walDirectory: walDirectory,
            snapshotStore: snapshotStore,
            segmentSizeBytes: segmentSizeBytes,
            segments: segments,
            active: active,
            newestSnapshot: snapshot,
            olderSnapshotIndex: loaded.olderIndex,
            terms: entries.map(\.term),
            hardState: replay.hardState,
            unwrittenHardState: nil,
            failure: nil
        )
        assert(entries.last.map { $0.index == writer.lastIndex } ?? true, "recovered entries must end at lastIndex")
        let recovered = RecoveredLog(
            hardState: replay.hardState,
            snapshot: loaded.newest,
            entries: entries,
            truncatedTailBytes: truncatedBytes,
            truncatedTailRecords: lastSegment?.tornTail?.records ?? 0,
            skippedSnapshots: loaded.skipped
        )
        return (writer, recovered)
    }

    /// Segment sequence numbers in order, which must run without a hole
    /// (compaction removes only from the front).
    private static func segmentSequences(_ walDirectory: String) throws(StorageError) -> [UInt64] {
        let sequences = try StorageFiles.listDirectory(walDirectory).compactMap(FileName.segmentSequence).sorted()
        for (previous, next) in zip(sequences, sequences.dropFirst()) where next != previous + 1 {
            throw .missingSegment(directory: walDirectory, expectedSequence: previous + 1, foundSequence: next)
        }
        return sequences
    }

    private static func highestIndex(of record: WALRecord) -> UInt64 {
        switch record {
        case let .entry(entry): return entry.index
        case let .snapshotMarker(index, _): return index
        case .segmentHeader, .batchHeader, .hardState: return 0
        }
    }
}
