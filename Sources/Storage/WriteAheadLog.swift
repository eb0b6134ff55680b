import Locking

/// The durable Raft log of one coordinator: segmented, checksummed record
/// files plus snapshots, fsync'd before anything is acknowledged. Safe to
/// call from any thread; calls are serialized.
///
/// It does not lock the data directory itself: hold a `DataDirectoryLock`
/// on the same directory for as long as the log is open.
public final class WriteAheadLog: Sendable {
    private let writer: Locked<LogWriter>

    private init(writer: LogWriter) {
        self.writer = Locked(writer)
    }

    deinit {
        writer.withLock { $0.close() }
    }

    /// Opens (creating if needed) the log in `directory`, recovering what is
    /// on disk: a torn tail of the last segment is cut off and reported;
    /// corruption anywhere else is thrown as `corruptRecord`.
    public static func open(directory: String, segmentSizeBytes: Int = 64 << 20) throws(StorageError) -> (WriteAheadLog, RecoveredLog) {
        let (writer, recovered) = try LogRecovery.open(directory: directory, segmentSizeBytes: segmentSizeBytes)
        return (WriteAheadLog(writer: writer), recovered)
    }

    /// Appends entries (which may overwrite a conflicting suffix: an entry at index i <= lastIndex
    /// truncates everything from i on, as Raft requires) and/or a new hard state, then fsyncs before
    /// returning — unless the batch only moves the commit index, which the next fsync (or leaving
    /// the segment, or closing) makes durable. Raft acknowledges a vote or an append only after
    /// this returns. True when it wrote and fsync'd a batch, false when it held the batch back.
    ///
    /// Entries are written before the hard state, so a crash part-way never
    /// leaves a commit index pointing past the durable entries. On failure the
    /// segment is cut back to where it was, and the log stays usable.
    @discardableResult
    public func append(entries: [LogEntryRecord], hardState: HardStateRecord?) throws(StorageError) -> Bool {
        var synced = false
        try locked { (writer: inout LogWriter) throws(StorageError) in
            synced = try writer.append(entries: entries, hardState: hardState)
        }
        return synced
    }

    /// Writes the snapshot atomically (temp file, fsync, rename, fsync the directory), records it in
    /// the log, and then drops snapshots and whole segments no longer needed: two snapshots are kept,
    /// and the segments from the older of them on, so that a corrupt newest snapshot can fall back.
    public func saveSnapshot(_ snapshot: SnapshotRecord) throws(StorageError) {
        try locked { (writer: inout LogWriter) throws(StorageError) in
            try writer.saveSnapshot(snapshot)
        }
    }

    /// Writes and syncs a commit index that `append` held back because it
    /// alone need not be durable; a clean shutdown calls it before `close`.
    public func flush() throws(StorageError) {
        try locked { (writer: inout LogWriter) throws(StorageError) in try writer.flush() }
    }

    /// Closes the active segment; later calls throw `.closed`.
    public func close() {
        writer.withLock { $0.close() }
    }

    /// Runs `body` under the lock, keeping its error type (`Locked.withLock`
    /// only rethrows untyped).
    private func locked(_ body: (inout LogWriter) throws(StorageError) -> Void) throws(StorageError) {
        let result = writer.withLock { writer in
            Result { () throws(StorageError) in try body(&writer) }
        }
        try result.get()
    }

    /// The paths of the segment files the log consists of, oldest first; the
    /// last is the one appends go to.
    public var segmentFiles: [String] {
        writer.withLock { writer in writer.segments.map { writer.segmentPath($0.sequence) } }
    }

    /// The index of the last entry (the snapshot's index when no entry follows it).
    public var lastIndex: UInt64 {
        writer.withLock { $0.lastIndex }
    }
}
