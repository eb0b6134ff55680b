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

extension PersistentState {
    /// Checks that the state is one a node could have made durable: entries
    /// contiguous after the snapshot with terms in order and none beyond the
    /// hard state's term, and the commit index within the log. `RaftNode.init`
    /// refuses anything else; a coordinator's start-up checks call it too.
    public func validate() throws(StartupError) {
        let snapshotIndex = snapshot?.metadata.index ?? 0
        let entries = self.entries.filter { $0.index > snapshotIndex }
        var previousTerm = snapshot?.metadata.term ?? 0
        for (offset, entry) in entries.enumerated() {
            guard entry.index == snapshotIndex + 1 + UInt64(offset) else {
                throw .invalidPersistentState("entry \(entry.index) breaks the log's sequence after \(snapshotIndex)")
            }
            guard entry.term >= previousTerm && entry.term <= hardState.term else {
                throw .invalidPersistentState("entry \(entry.index) has term \(entry.term), out of order or beyond term \(hardState.term)")
            }
            previousTerm = entry.term
        }
        let lastIndex = snapshotIndex + UInt64(entries.count)
        guard hardState.commit <= lastIndex else {
            throw .invalidPersistentState("commit index \(hardState.commit) is beyond the last entry \(lastIndex)")
        }
        if let snapshot, snapshot.metadata.term > hardState.term {
            throw .invalidPersistentState("the snapshot's term \(snapshot.metadata.term) is beyond term \(hardState.term)")
        }
    }
}
