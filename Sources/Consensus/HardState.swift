/// The state a node must persist before it sends any message that depends on it:
/// its term, its vote in that term, and the highest index it knows to be committed.
public struct HardState: Sendable, Equatable {
    public var term: UInt64
    /// The candidate voted for in `term`, or `NodeID.none`.
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = .none, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public static let empty = HardState()
}
