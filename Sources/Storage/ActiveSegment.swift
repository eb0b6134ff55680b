import Glibc

/// The segment file appends go to: its descriptor and how many of its bytes
/// are written. Every append lands at `sizeBytes`; appends that must be
/// durable are fdatasync'd before they count, and the few that need not be
/// (a commit-index-only hard state) are synced by the next one that must, or
/// before the segment is left.
struct ActiveSegment {
    let sequence: UInt64
    let path: String
    private(set) var descriptor: Int32
    /// Bytes in the file: whole batches only.
    private(set) var sizeBytes: Int
    /// True while the tail holds a batch written without fdatasync.
    private(set) var hasUnsyncedBytes = false

    /// Creates segment `sequence`, durable with its directory entry, holding
    /// its header and the log's current state: a marker for the newest
    /// snapshot and the hard state. So the newest segment always carries both
    /// (older segments can be deleted), and a snapshot whose own marker was
    /// lost in a crash is marked before anything is appended after it.
    static func create(
        directory: String, sequence: UInt64, snapshot: LogWriter.SnapshotPosition?, hardState: HardStateRecord?
    ) throws(StorageError) -> ActiveSegment {
        var writer = ByteWriter()
        try WALRecord.segmentHeader(sequence: sequence).append(to: &writer)
        if let snapshot { try WALRecord.snapshotMarker(index: snapshot.index, term: snapshot.term).append(to: &writer) }
        if let hardState { try WALRecord.hardState(hardState).append(to: &writer) }
        let path = FileName.join(directory, FileName.segment(sequence: sequence))
        let descriptor = try FileSystem.createExclusive(path)
        do throws(StorageError) {
            try FileSystem.writeAll(descriptor, writer.bytes, at: 0, path: path)
            try FileSystem.syncData(descriptor, path: path)
            try FileSystem.syncDirectory(directory)
        } catch {
            Glibc.close(descriptor)
            unlink(path)
            throw error
        }
        return ActiveSegment(sequence: sequence, path: path, descriptor: descriptor, sizeBytes: writer.bytes.count)
    }

    /// Writes `bytes` at the end and, when `sync` is true, fdatasyncs. On
    /// failure the file is cut back to its previous size, so that it still
    /// holds only whole batches; if even that fails, the error is `.unusable`
    /// and only a reopen (whose recovery drops the partial batch as a torn
    /// tail) can continue.
    mutating func append(_ bytes: [UInt8], sync: Bool) throws(StorageError) {
        precondition(descriptor >= 0, "append to a closed segment")
        do throws(StorageError) {
            try FileSystem.writeAll(descriptor, bytes, at: sizeBytes, path: path)
            if sync { try FileSystem.syncData(descriptor, path: path) }
        } catch {
            do throws(StorageError) {
                try FileSystem.truncate(descriptor, toBytes: sizeBytes, path: path)
                try FileSystem.syncData(descriptor, path: path)
            } catch let rollback {
                throw .unusable(path: path, cause: "\(error); then cutting back to \(sizeBytes) bytes failed: \(rollback)")
            }
            throw error
        }
        sizeBytes += bytes.count
        hasUnsyncedBytes = !sync
    }

    /// Makes every written batch durable.
    mutating func sync() throws(StorageError) {
        guard hasUnsyncedBytes else { return }
        try FileSystem.syncData(descriptor, path: path)
        hasUnsyncedBytes = false
    }

    mutating func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
