/// The servers of the cluster: voters elect leaders and make up quorums; learners receive the
/// log but never vote and never count towards a quorum.
///
/// Both lists are sorted and disjoint, so iterating them is deterministic.
public struct Membership: Sendable, Equatable, CustomStringConvertible {
    /// The most servers (voters plus learners) a membership may hold; bounds every quorum loop.
    public static let membersMaximum = 64

    public private(set) var voters: [NodeID]
    public private(set) var learners: [NodeID]

    /// Builds a membership; duplicates are dropped and a node listed as both is a voter.
    public init(voters: some Sequence<NodeID>, learners: some Sequence<NodeID> = [NodeID]()) {
        let voterList = Membership.sortedUnique(voters.filter { $0 != .none })
        self.voters = voterList
        self.learners = Membership.sortedUnique(learners.filter { $0 != .none && !voterList.contains($0) })
        precondition(
            self.voters.count + self.learners.count <= Membership.membersMaximum,
            "a membership holds at most \(Membership.membersMaximum) servers"
        )
    }

    /// No servers at all: a node that waits to be added by a leader.
    public static let empty = Membership(voters: [NodeID]())

    public func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
    public func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }
    public func contains(_ id: NodeID) -> Bool { isVoter(id) || isLearner(id) }

    /// Voters and learners, sorted.
    public var members: [NodeID] { Membership.sortedUnique(voters + learners) }

    /// The membership after one single-server change, or why the change is not allowed.
    public func applying(_ change: MembershipChange) throws(MembershipError) -> Membership {
        let id = change.node
        guard id != .none else { throw .invalidNodeID }
        switch change {
        case .addVoter:
            guard !contains(id) else { throw .alreadyMember(id) }
            guard voters.count + learners.count < Membership.membersMaximum else { throw .tooManyMembers }
            return Membership(voters: voters + [id], learners: learners)
        case .addLearner:
            guard !contains(id) else { throw .alreadyMember(id) }
            guard voters.count + learners.count < Membership.membersMaximum else { throw .tooManyMembers }
            return Membership(voters: voters, learners: learners + [id])
        case .promoteLearner:
            guard isLearner(id) else { throw .notALearner(id) }
            return Membership(voters: voters + [id], learners: learners.filter { $0 != id })
        case .remove:
            guard contains(id) else { throw .notAMember(id) }
            guard !(isVoter(id) && voters.count == 1) else { throw .wouldRemoveLastVoter }
            return Membership(voters: voters.filter { $0 != id }, learners: learners.filter { $0 != id })
        }
    }

    public var description: String {
        "voters \(voters)" + (learners.isEmpty ? "" : " learners \(learners)")
    }

    private static func sortedUnique(_ ids: [NodeID]) -> [NodeID] {
        var result: [NodeID] = []
        for id in ids.sorted() where result.last != id {
            result.append(id)
        }
        return result
    }
}

/// Why a membership change was refused.
public enum MembershipError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidNodeID
    case alreadyMember(NodeID)
    case notALearner(NodeID)
    case notAMember(NodeID)
    case wouldRemoveLastVoter
    case tooManyMembers

    public var description: String {
        switch self {
        case .invalidNodeID: "node id 0 is reserved; use a positive id"
        case .alreadyMember(let id): "node \(id) is already a member; remove it first"
        case .notALearner(let id): "node \(id) is not a learner; add it as a learner before promoting it"
        case .notAMember(let id): "node \(id) is not a member"
        case .wouldRemoveLastVoter: "removing the last voter would leave no one to elect a leader"
        case .tooManyMembers: "a cluster holds at most \(Membership.membersMaximum) servers"
        }
    }
}
