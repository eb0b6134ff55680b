/// The part a node currently plays in the protocol.
public enum Role: Sendable, Equatable, CustomStringConvertible {
    case follower
    /// Asking for pre-votes without raising its term (PreVote, dissertation §9.6).
    case preCandidate
    case candidate
    case leader

    public var description: String {
        switch self {
        case .follower: "follower"
        case .preCandidate: "pre-candidate"
        case .candidate: "candidate"
        case .leader: "leader"
        }
    }
}
