/// What `WriteAheadLog.open` found on disk: the durable Raft state to restart
/// from, and what recovery had to drop or skip to get there.
public struct RecoveredLog: Sendable {
    public var hardState: HardStateRecord?
    /// The newest snapshot whose checksum is valid.
    public var snapshot: SnapshotRecord?
    /// Contiguous entries, all after `snapshot.index` (from index 1 without one).
    public var entries: [LogEntryRecord]
    /// Bytes of a torn or corrupt tail cut from the last segment (0 when clean).
    public var truncatedTailBytes: Int
    /// Snapshot files passed over because they failed validation, each as
    /// "PATH: reason", newest first.
    public var skippedSnapshots: [String]

    public init(
        hardState: HardStateRecord?,
        snapshot: SnapshotRecord?,
        entries: [LogEntryRecord],
        truncatedTailBytes: Int,
        skippedSnapshots: [String]
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
        self.truncatedTailBytes = truncatedTailBytes
        self.skippedSnapshots = skippedSnapshots
    }
}
