import Glibc

/// The segment file appends go to: its descriptor and how many of its bytes
/// are durable. Every append lands at `sizeBytes` and is fdatasync'd before
/// it counts.
struct ActiveSegment {
    let sequence: UInt64
    let path: String
    private(set) var descriptor: Int32
    /// Bytes durably in the file: whole, acknowledged batches only.
    private(set) var sizeBytes: Int

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

    /// Writes `bytes` at the end and fdatasyncs. On failure the file is cut
    /// back to its previous size, so that it still holds only whole batches;
    /// if even that fails, the error is `.unusable` and only a reopen (whose
    /// recovery drops the partial batch as a torn tail) can continue.
    mutating func append(_ bytes: [UInt8]) throws(StorageError) {
        precondition(descriptor >= 0, "append to a closed segment")
        do throws(StorageError) {
            try FileSystem.writeAll(descriptor, bytes, at: sizeBytes, path: path)
            try FileSystem.syncData(descriptor, path: path)
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
    }

    mutating func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
