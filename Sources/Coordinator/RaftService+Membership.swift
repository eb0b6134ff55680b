import Certificates
import Cluster
import Consensus
import Fleet
import Observability
import Primitives
import Transport

/// Cluster operations only the leader starts: leadership transfer and
/// single-server membership changes. A new member joins as a learner and is
/// promoted to voter once it has caught up (as Consul's autopilot does), so
/// it never weakens a quorum while it copies the log.
extension RaftService {
    /// Learners within this many entries of the leader's log count as caught up.
    static let promotionLagEntriesMaximum: UInt64 = 64

    func transferLeadership(to name: String, completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        guard let member = directory.member(named: name), node.status.membership.isVoter(member.id) else {
            return completion(.refused(.notVotingMember(name: name)))
        }
        if member.id == selfMember.id { return completion(.leader(name: name, term: node.status.term)) }
        do {
            try node.transferLeadership(to: member.id)
        } catch {
            return completion(.refused(.proposal(error)))
        }
        let timeout = settings.tickInterval * (2 * settings.electionTimeoutTicks)
        waiters.addTransfer(target: member.id, deadline: MonotonicInstant.now().advanced(by: timeout),
                            completion: completion)
        scheduleProcess()
    }

    /// `context` encodes the member's registration as the entry's context (audited when the request was).
    func addMember(name: String, peerAddress: String, context: (FleetCommand) -> [UInt8],
                   completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        guard NodeIdentity.isValidName(name) else { return completion(.refused(.invalidMemberName(name))) }
        let target: HostPort
        do {
            target = try HostPort(parsing: peerAddress, flag: "peerAddress")
        } catch {
            return completion(.refused(.invalidPeerAddress(peerAddress)))
        }
        let id = ClusterTopology.nodeID(forName: name)
        let membership = node.status.membership
        if let known = directory.member(id: id), known.name != name, membership.contains(id) {
            return completion(.refused(.memberIDTaken(name: name, holder: known.name)))
        }
        guard !membership.contains(id) else { return completion(.refused(.alreadyMember(name: name))) }
        guard membership.voters.count + membership.learners.count < ClusterTopology.membersMaximum else {
            return completion(.refused(.membersLimitReached(maximum: ClusterTopology.membersMaximum)))
        }
        // Replicated as HostPort prints it (a name lower-cased), the text CLUSTER.md says members keep.
        let context = context(.putMember(ClusterMemberRecord(name: name, peerAddress: "\(target)")))
        if let refusal = entryRefusal(for: context) { return completion(.refused(refusal)) }
        propose(completion: completion) { (node: inout RaftNode) throws(ProposalError) in
            try node.proposeMembershipChange(.addLearner(id), context: context)
        }
    }

    func removeMember(name: String, context: (FleetCommand) -> [UInt8], completion: @escaping @Sendable (ClusterOutcome) -> Void) {
        let id = directory.member(named: name)?.id ?? ClusterTopology.nodeID(forName: name)
        guard node.status.membership.contains(id) else { return completion(.refused(.notMember(name: name))) }
        // The member leaves at this entry: it need not read it (an unreachable one can be removed).
        let context = context(.deleteMember(name: name))
        if let refusal = entryRefusal(for: context, exempt: id) { return completion(.refused(refusal)) }
        propose(completion: completion) { (node: inout RaftNode) throws(ProposalError) in
            try node.proposeMembershipChange(.remove(id), context: context)
        }
    }

    /// Counts runs of refused learner promotions (`promoteCaughtUpLearner`).
    static func learnerPromotionsRefusedCounter(in metrics: MetricsRegistry) -> Counter {
        metrics.counter("hotswap_raft_learner_promotions_refused_total",
                        help: "Runs of refused promotions of a caught-up learner (another change pending): one per learner "
                            + "until a promotion is proposed; each is retried on a later pass.")
    }

    /// Promotes one learner whose log is within `promotionLagEntriesMaximum`
    /// of ours. A refusal (another change not yet committed) is retried on a
    /// later pass, and counted once per run of refusals for that learner.
    func promoteCaughtUpLearner() {
        guard hasLearners else { return }
        let status = node.status
        guard status.role == .leader, status.isLeaseValid, status.leadershipTransferTarget == nil else { return }
        for learner in status.membership.learners {
            guard let progress = status.progress[learner], progress.isRecentlyActive,
                  progress.match + Self.promotionLagEntriesMaximum >= status.lastIndex else { continue }
            do {
                try node.proposeMembershipChange(.promoteLearner(learner))
            } catch {
                if learnerPromotionRefusals.failed(learner) { learnerPromotionsRefused.increment() }
                return logger.debug("promoting a caught-up learner was refused; retrying later",
                                    ["member": directory.displayName(of: learner), "reason": "\(error)"])
            }
            learnerPromotionRefusals.succeeded()
            logger.info("learner caught up; promoting it to voter", ["member": directory.displayName(of: learner)])
            scheduleProcess()
            return
        }
    }
}
