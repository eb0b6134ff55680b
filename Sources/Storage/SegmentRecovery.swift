/// Reads one segment at recovery. A damaged batch in the last segment with
/// no later batch after it is a torn tail — the one batch a crash can leave
/// unsynced — to be cut off once the whole log has replayed; any other
/// damage is corruption and is thrown. Nothing is written here, so a refusal
/// leaves every file as it was.
struct SegmentRecovery {
    let path: String
    var records: [SegmentScan.Located]
    /// The sequence the batch after this segment's last whole one must carry.
    var nextBatchSequence: UInt64?
    /// Where a torn tail begins, its bytes, and the records its batch held.
    var tornTail: (offset: Int, bytes: Int, records: Int)?

    /// True when nothing valid is in it: a segment created just before a crash.
    var isEmpty: Bool { records.isEmpty }

    static func read(
        path: String, sequence: UInt64, isLast: Bool, nextBatchSequence: UInt64?
    ) throws(StorageError) -> SegmentRecovery {
        let bytes = try StorageFiles.readFile(path, maximumBytes: LogWriter.segmentFileMaximumBytes)
        let scan = try SegmentScan.scan(bytes, file: path, nextBatchSequence: nextBatchSequence)
        if !(scan.records.isEmpty && isLast) {
            try checkHeader(scan.records, path: path, sequence: sequence)
        }
        var recovered = SegmentRecovery(path: path, records: scan.records, nextBatchSequence: scan.nextBatchSequence)
        if let damage = scan.damage {
            try classify(damage, in: bytes, path: path, isLast: isLast)
            recovered.tornTail = (damage.batchOffset, bytes.count - damage.batchOffset, damage.recordCount)
        }
        return recovered
    }

    /// Cuts the torn tail off (ftruncate + fsync), or removes the file if
    /// nothing valid is left, or else fsyncs it: recovery may have read bytes
    /// that only reached the page cache before a process crash, and this
    /// segment is about to stop being the last. Returns the bytes dropped.
    func repair(walDirectory: String) throws(StorageError) -> Int {
        if isEmpty {
            try StorageFiles.remove(path)
            try StorageFiles.syncDirectory(walDirectory)
        } else if let tornTail {
            try StorageFiles.truncateFile(path, toBytes: tornTail.offset)
        } else {
            try StorageFiles.syncFile(atPath: path)
        }
        return tornTail?.bytes ?? 0
    }

    /// Returns if `damage` is a torn tail; throws `corruptRecord` otherwise.
    private static func classify(
        _ damage: SegmentScan.Damage, in bytes: [UInt8], path: String, isLast: Bool
    ) throws(StorageError) {
        guard isLast else {
            let reason = "\(damage.reason), in a segment that is not the last, so not a torn write"
            throw .corruptRecord(file: path, offset: damage.recordOffset, reason: reason)
        }
        let later = SegmentScan.laterBatch(
            from: damage.laterBatchSearchOffset, in: bytes, ownSequence: damage.expectedSequence)
        if let later {
            let reason = "\(damage.reason), and batch \(later.sequence) follows at offset \(later.offset): "
                + "it was written only after this batch was fsync'd, so not a torn write"
            throw .corruptRecord(file: path, offset: damage.recordOffset, reason: reason)
        }
    }

    /// The first record is the segment's own header (`SegmentScan` allows no
    /// other header after it).
    private static func checkHeader(_ records: [SegmentScan.Located], path: String, sequence: UInt64) throws(StorageError) {
        guard let first = records.first, case let .segmentHeader(found) = first.record else {
            let reason = "segment does not begin with its header record"
            throw .corruptRecord(file: path, offset: records.first?.offset ?? 0, reason: reason)
        }
        guard found == sequence else {
            let reason = "header names segment \(found), but the file name says \(sequence)"
            throw .corruptRecord(file: path, offset: first.offset, reason: reason)
        }
    }
}
