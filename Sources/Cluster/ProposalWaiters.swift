import Consensus
import Fleet
import Primitives

/// The leader's requests waiting for their outcome: proposals by log index
/// (answered when that index applies — or reported lost if another term's
/// entry took it) and leadership transfers (answered when the leader
/// changes). Every waiter has a deadline, so none is left hanging; the
/// caller bounds how many wait. Requests a follower forwarded to the leader
/// wait in `ForwardedRequests`.
public struct ProposalWaiters {
    public typealias Completion = @Sendable (ClusterOutcome) -> Void

    private struct Local {
        let term: UInt64
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private struct Transfer {
        let target: NodeID
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private var local: [UInt64: Local] = [:]
    private var transfers: [Transfer] = []

    public init() {}

    public var count: Int { local.count + transfers.count }

    public mutating func addLocal(index: UInt64, term: UInt64, deadline: MonotonicInstant, completion: @escaping Completion) {
        local[index]?.completion(.refused(.writeLost))
        local[index] = Local(term: term, deadline: deadline, completion: completion)
    }

    public mutating func addTransfer(target: NodeID, deadline: MonotonicInstant, completion: @escaping Completion) {
        transfers.append(Transfer(target: target, deadline: deadline, completion: completion))
    }

    /// The entry at `index` applied with `term`; `outcome` is nil for entries that carried no
    /// command. Returns the answer for its waiter, if any, for the caller to send once the state
    /// it applied to is published, so that the next read on this coordinator shows the write.
    public mutating func resolve(index: UInt64, term: UInt64, outcome: FleetOutcome?) -> (() -> Void)? {
        guard let waiter = local.removeValue(forKey: index) else { return nil }
        let answer = waiter.term == term ? outcome.map(ClusterOutcome.applied) ?? .refused(.writeLost) : .refused(.writeLost)
        return { waiter.completion(answer) }
    }

    /// The leader changed to `leader`, named `name`, in `term` (none while an
    /// election runs): transfers to it succeeded, others failed.
    public mutating func leaderChanged(to leader: NodeID, name: String, term: UInt64) {
        guard leader != .none else { return }
        for transfer in transfers {
            transfer.completion(transfer.target == leader ? .leader(name: name, term: term) : .refused(.transferFailed(newLeader: name)))
        }
        transfers.removeAll()
    }

    public mutating func expire(now: MonotonicInstant) {
        for (index, waiter) in local where waiter.deadline <= now {
            local[index] = nil
            waiter.completion(.refused(.commitTimeout))
        }
        let (expired, waiting) = (transfers.filter { $0.deadline <= now }, transfers.filter { $0.deadline > now })
        transfers = waiting
        for transfer in expired { transfer.completion(.refused(.transferTimeout)) }
    }

    public mutating func failAll(with refusal: ClusterRefusal) {
        for waiter in local.values { waiter.completion(.refused(refusal)) }
        for transfer in transfers { transfer.completion(.refused(refusal)) }
        local.removeAll()
        transfers.removeAll()
    }
}
