/// The Raft hard state that must be durable before a vote or an append is
/// acknowledged: current term, vote in that term, and commit index.
public struct HardStateRecord: Sendable, Equatable {
    public var term: UInt64
    /// The candidate voted for in `term`; 0 means no vote.
    public var votedFor: UInt64
    public var commitIndex: UInt64

    public init(term: UInt64, votedFor: UInt64, commitIndex: UInt64) {
        self.term = term
        self.votedFor = votedFor
        self.commitIndex = commitIndex
    }
}
