import Glibc
import Primitives

/// The segment file appends go to: its descriptor, how many of its bytes are
/// written, and the sequence its next batch carries. Every batch lands at
/// `sizeBytes` and is fdatasync'd before it counts, so at any moment at most
/// the batch being written is not durable.
struct ActiveSegment {
    let sequence: UInt64
    let path: String
    private(set) var descriptor: Int32
    /// Bytes in the file: whole batches only.
    private(set) var sizeBytes: Int
    private(set) var nextBatchSequence: UInt64

    /// Creates segment `sequence`, durable with its directory entry, holding
    /// its header and, as batch `firstBatchSequence`, the log's current state:
    /// a marker for the newest snapshot and the hard state. So the newest
    /// segment always carries both (older segments can be deleted), and a
    /// snapshot whose own marker was lost in a crash is marked before anything
    /// is appended after it.
    static func create(
        directory: String, sequence: UInt64, firstBatchSequence: UInt64,
        snapshot: LogWriter.SnapshotPosition?, hardState: HardStateRecord?
    ) throws(StorageError) -> ActiveSegment {
        var writer = BinaryWriter(byteOrder: .littleEndian, reservingCapacity: 0)
        try WALRecord.segmentHeader(sequence: sequence).append(to: &writer)
        var state: [WALRecord] = []
        if let snapshot { state.append(.snapshotMarker(index: snapshot.index, term: snapshot.term)) }
        if let hardState { state.append(.hardState(hardState)) }
        var nextBatchSequence = firstBatchSequence
        if !state.isEmpty {
            writer.write(contentsOf: try WALBatch(state).encoded(sequence: firstBatchSequence))
            nextBatchSequence += 1
        }
        let path = FileName.join(directory, FileName.segment(sequence: sequence))
        let descriptor = try StorageFiles.createExclusive(path)
        do throws(StorageError) {
            try StorageFiles.writeAll(descriptor, writer.bytes, at: 0, path: path)
            try StorageFiles.syncData(descriptor, path: path)
            try StorageFiles.syncDirectory(directory)
        } catch {
            Glibc.close(descriptor)
            unlink(path)
            throw error
        }
        return ActiveSegment(
            sequence: sequence, path: path, descriptor: descriptor, sizeBytes: writer.bytes.count,
            nextBatchSequence: nextBatchSequence
        )
    }

    /// Writes `batch` at the end and fdatasyncs. On failure the file is cut
    /// back to its previous size, so that it still holds only whole batches
    /// (and the batch's sequence is used again); if even that fails, the
    /// error is `.unusable` and only a reopen (whose recovery drops the
    /// partial batch as a torn tail) can continue.
    mutating func append(_ batch: WALBatch) throws(StorageError) {
        precondition(descriptor >= 0, "append to a closed segment")
        let bytes = try batch.encoded(sequence: nextBatchSequence)
        do throws(StorageError) {
            try StorageFiles.writeAll(descriptor, bytes, at: sizeBytes, path: path)
            try StorageFiles.syncData(descriptor, path: path)
        } catch {
            do throws(StorageError) {
                try StorageFiles.truncate(descriptor, toBytes: sizeBytes, path: path)
                try StorageFiles.syncData(descriptor, path: path)
            } catch let rollback {
                throw .unusable(path: path, cause: "\(error); then cutting back to \(sizeBytes) bytes failed: \(rollback)")
            }
            throw error
        }
        sizeBytes += bytes.count
        nextBatchSequence += 1
    }

    mutating func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
