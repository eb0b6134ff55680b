/// What `WriteAheadLog.open` found on disk: the durable Raft state to restart
/// from, and what recovery had to drop or skip to get there.
public struct RecoveredLog: Sendable {
    public var hardState: HardStateRecord?
    /// The newest snapshot whose checksum is valid.
    public var snapshot: SnapshotRecord?
    /// Contiguous entries, all after `snapshot.index` (from index 1 without one).
    public var entries: [LogEntryRecord]
    /// Bytes of a torn tail cut from the last segment (0 when clean): the
    /// final batch, which was never fsync'd, and anything after it.
    public var truncatedTailBytes: Int
    /// Records in that batch, as its header counts them (0 when the header
    /// itself was lost): a batch is kept whole or not at all, so records of
    /// it that survived are dropped too.
    public var truncatedTailRecords: Int
    /// Snapshot files passed over because they failed validation, each as
    /// "PATH: reason", newest first.
    public var skippedSnapshots: [String]

    public init(
        hardState: HardStateRecord?,
        snapshot: SnapshotRecord?,
        entries: [LogEntryRecord],
        truncatedTailBytes: Int,
        truncatedTailRecords: Int,
        skippedSnapshots: [String]
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
        self.truncatedTailBytes = truncatedTailBytes
        self.truncatedTailRecords = truncatedTailRecords
        self.skippedSnapshots = skippedSnapshots
    }
}
