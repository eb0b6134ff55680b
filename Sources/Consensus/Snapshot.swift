/// Where a snapshot cuts the log: the last entry it covers and the membership at that point.
public struct SnapshotMetadata: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var membership: Membership

    public init(index: UInt64, term: UInt64, membership: Membership) {
        self.index = index
        self.term = term
        self.membership = membership
    }
}

/// The application's state machine as of `metadata.index`, standing in for every entry up to it.
public struct Snapshot: Sendable, Equatable {
    public var metadata: SnapshotMetadata
    /// Opaque to Raft: the application encodes and restores its state machine.
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }
}
