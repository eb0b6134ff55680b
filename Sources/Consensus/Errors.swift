/// Why a node refused a proposal, a membership change, a transfer or a read.
public enum ProposalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This node is not the leader; retry at `leaderHint` if one is known.
    case notLeader(leaderHint: NodeID?)
    /// This node is the leader but no quorum has confirmed it recently enough to act.
    case leaseExpired
    case leadershipTransferInProgress(to: NodeID)
    case tooLarge(bytes: Int, maximumBytes: Int)
    case uncommittedLimitReached(maximumBytes: Int)
    /// The previous membership change, or the leader's first entry of its term, is not committed yet.
    case configChangeInProgress
    case invalidMembershipChange(MembershipError)
    case invalidTransferTarget(NodeID)
    case readQueueFull(maximum: Int)

    public var description: String {
        switch self {
        case .notLeader(let hint):
            hint.map { "not the leader; node \($0) is" } ?? "not the leader, and no leader is known; retry later"
        case .leaseExpired:
            "the leader's lease is not valid (no quorum confirmed it recently); retry shortly"
        case .leadershipTransferInProgress(let target):
            "leadership is being transferred to node \(target); retry at the new leader"
        case .tooLarge(let bytes, let maximumBytes):
            "a proposal of \(bytes) bytes exceeds the \(maximumBytes)-byte limit"
        case .uncommittedLimitReached(let maximumBytes):
            "the leader already holds \(maximumBytes) uncommitted bytes; retry when the cluster catches up"
        case .configChangeInProgress:
            "a membership change (or the new leader's first entry) is not committed yet; retry after it commits"
        case .invalidMembershipChange(let reason):
            "membership change refused: \(reason)"
        case .invalidTransferTarget(let id):
            "node \(id) cannot take over leadership: it must be another voter"
        case .readQueueFull(let maximum):
            "\(maximum) reads are already waiting for confirmation; retry shortly"
        }
    }
}

/// Why a node could not start.
public enum StartupError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case invalidPersistentState(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid Raft configuration: \(reason)"
        case .invalidPersistentState(let reason): "invalid durable Raft state: \(reason)"
        }
    }
}
