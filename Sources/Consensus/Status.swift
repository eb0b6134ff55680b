/// The leader's view of one member's replication, for operators.
public struct ProgressStatus: Sendable, Equatable {
    public var match: UInt64
    public var next: UInt64
    public var state: ProgressState
    public var inflightMessages: Int
    public var inflightBytes: Int
    public var isRecentlyActive: Bool
}

/// A snapshot of one node's state for `GET /cluster` and tests.
public struct Status: Sendable, Equatable {
    public var id: NodeID
    public var role: Role
    public var term: UInt64
    public var vote: NodeID
    public var leader: NodeID
    public var commit: UInt64
    public var applied: UInt64
    public var firstIndex: UInt64
    public var lastIndex: UInt64
    public var leaseRemainingTicks: UInt64
    public var isLeaseValid: Bool
    public var leadershipTransferTarget: NodeID?
    public var membership: Membership
    /// Filled on the leader only.
    public var progress: [NodeID: ProgressStatus]
}

extension RaftNode {
    public var status: Status {
        var progress: [NodeID: ProgressStatus] = [:]
        if role == .leader {
            for id in tracker.membership.members {
                guard let member = tracker.progress[id] else { continue }
                progress[id] = ProgressStatus(
                    match: member.match, next: member.next, state: member.state,
                    inflightMessages: member.inflights.count, inflightBytes: member.inflights.bytes,
                    isRecentlyActive: member.recentActive)
            }
        }
        return Status(
            id: id, role: role, term: term, vote: vote, leader: leader, commit: log.committed,
            applied: log.applied, firstIndex: log.firstIndex, lastIndex: log.lastIndex,
            leaseRemainingTicks: leaseRemainingTicks, isLeaseValid: isLeaseValid,
            leadershipTransferTarget: transfer?.target, membership: tracker.membership, progress: progress)
    }
}
