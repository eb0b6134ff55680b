/// The volatile part of a node's state the application may want to observe.
public struct SoftState: Sendable, Equatable {
    public var role: Role
    /// The leader this node knows of in its term, or `NodeID.none`.
    public var leader: NodeID

    public init(role: Role, leader: NodeID) {
        self.role = role
        self.leader = leader
    }
}

/// The answer to a `requestRead`: once the application has applied up to `index`, a read of
/// its state machine is linearizable.
public struct ReadState: Sendable, Equatable {
    public var index: UInt64
    public var context: [UInt8]

    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}

/// Everything a node needs its caller to do, in this order:
///
/// 1. send `messages` at once: they may leave before this Ready is durable (the node decided
///    which, so the rule is the same in every driver; see `RaftNode.mayPrecedePersistence`);
/// 2. if `snapshotToPersist` is set: replace the durable log with it (discard every durable
///    entry) and restore the state machine from its data;
/// 3. durably append `entriesToPersist` (an entry replaces any durable entry at its index and
///    every one after it) and durably store `hardState` if set — fsync;
/// 4. only then send `messagesAfterPersist`; if persisting failed, send none of them;
/// 5. apply `committedEntries` in order and serve `readStates` once applied up to their index;
/// 6. call `RaftNode.advance(_:)` with this value.
public struct Ready: Sendable, Equatable {
    public var hardState: HardState?
    public var entriesToPersist: [Entry]
    public var snapshotToPersist: Snapshot?
    /// A leader's appends and heartbeats whose term and vote are already durable: they promise
    /// nothing a crash could take back (the leader's own entries may still be lost, but it
    /// counts them towards a commit only once durable), so they may overlap its fsync.
    public var messages: [Message]
    /// Everything else (votes, answers, anything sent while the term or vote is not yet
    /// durable): these promise what is persisted, so they wait for the fsync.
    public var messagesAfterPersist: [Message]
    public var committedEntries: [Entry]
    public var readStates: [ReadState]
    public var softState: SoftState?

    public init(
        hardState: HardState? = nil, entriesToPersist: [Entry] = [], snapshotToPersist: Snapshot? = nil,
        messages: [Message] = [], messagesAfterPersist: [Message] = [], committedEntries: [Entry] = [], readStates: [ReadState] = [],
        softState: SoftState? = nil
    ) {
        self.hardState = hardState
        self.entriesToPersist = entriesToPersist
        self.snapshotToPersist = snapshotToPersist
        self.messages = messages
        self.messagesAfterPersist = messagesAfterPersist
        self.committedEntries = committedEntries
        self.readStates = readStates
        self.softState = softState
    }
}
