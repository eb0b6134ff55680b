/// Reads one segment at recovery. A bad frame in the last segment with no
/// valid record anywhere after it is a torn write, to be cut off once the
/// whole log has replayed; any other bad frame is corruption and is thrown.
/// Nothing is written here, so a refusal leaves every file as it was.
struct SegmentRecovery {
    let path: String
    var records: [SegmentScan.Located]
    /// Where a torn tail begins, and how many bytes it has.
    var tornTail: (offset: Int, bytes: Int)?

    /// True when nothing valid is in it: a segment created just before a crash.
    var isEmpty: Bool { records.isEmpty }

    static func read(path: String, sequence: UInt64, isLast: Bool) throws(StorageError) -> SegmentRecovery {
        let bytes = try FileSystem.readFile(path, maximumBytes: LogWriter.segmentFileMaximumBytes)
        let scan = try SegmentScan.scan(bytes, file: path)
        if !(scan.records.isEmpty && isLast) {
            try checkHeader(scan.records, path: path, sequence: sequence)
        }
        var recovered = SegmentRecovery(path: path, records: scan.records, tornTail: nil)
        if let bad = scan.badFrame {
            try classify(bad, in: bytes, path: path, isLast: isLast)
            recovered.tornTail = (bad.offset, bytes.count - bad.offset)
        }
        return recovered
    }

    /// Cuts the torn tail off (ftruncate + fsync), or removes the file if
    /// nothing valid is left; returns the bytes dropped.
    func repair(walDirectory: String) throws(StorageError) -> Int {
        if isEmpty {
            try FileSystem.remove(path)
            try FileSystem.syncDirectory(walDirectory)
        } else if let tornTail {
            try FileSystem.truncateFile(path, toBytes: tornTail.offset)
        }
        return tornTail?.bytes ?? 0
    }

    /// Returns if `bad` is a torn tail; throws `corruptRecord` otherwise.
    private static func classify(
        _ bad: SegmentScan.BadFrame, in bytes: [UInt8], path: String, isLast: Bool
    ) throws(StorageError) {
        guard isLast else {
            let reason = "\(bad.reason), in a segment that is not the last, so not a torn write"
            throw .corruptRecord(file: path, offset: bad.offset, reason: reason)
        }
        switch SegmentScan.following(bad.offset, in: bytes) {
        case .nothingValid:
            return
        case let .validRecord(offset):
            let reason = "\(bad.reason), and a valid record follows at offset \(offset), so not a torn write"
            throw .corruptRecord(file: path, offset: bad.offset, reason: reason)
        case let .searchBudgetExhausted(offset):
            let reason = "\(bad.reason); searched to offset \(offset) for valid records after it without finishing, "
                + "so cannot tell it from mid-log corruption"
            throw .corruptRecord(file: path, offset: bad.offset, reason: reason)
        }
    }

    /// The first record, and only the first, is the segment's own header.
    private static func checkHeader(_ records: [SegmentScan.Located], path: String, sequence: UInt64) throws(StorageError) {
        guard let first = records.first, case let .segmentHeader(found) = first.record else {
            let reason = "segment does not begin with its header record"
            throw .corruptRecord(file: path, offset: records.first?.offset ?? 0, reason: reason)
        }
        guard found == sequence else {
            let reason = "header names segment \(found), but the file name says \(sequence)"
            throw .corruptRecord(file: path, offset: first.offset, reason: reason)
        }
        for located in records.dropFirst() {
            if case .segmentHeader = located.record {
                throw .corruptRecord(file: path, offset: located.offset, reason: "a second segment header in the middle of the segment")
            }
        }
    }
}
