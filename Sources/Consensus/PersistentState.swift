/// Everything a node had made durable before it stopped: what `RaftNode.init` restarts from.
///
/// `entries` are the durable entries after the snapshot, contiguous; entries at or below the
/// snapshot's index are ignored.
public struct PersistentState: Sendable, Equatable {
    public var hardState: HardState
    public var snapshot: Snapshot?
    public var entries: [Entry]

    public init(hardState: HardState = .empty, snapshot: Snapshot? = nil, entries: [Entry] = []) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// A brand-new node: no term, no vote, no log.
    public static let empty = PersistentState()
}
