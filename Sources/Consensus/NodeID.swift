/// The identity of one Raft participant. Zero is reserved for "nobody" (no vote, no leader).
public typealias NodeID = UInt64

extension NodeID {
    /// The reserved "nobody" identity: no vote cast, no leader known.
    public static let none: NodeID = 0
}
