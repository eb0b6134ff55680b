import Consensus
import Fleet
import Primitives

/// Requests waiting for their outcome: local proposals by log index (answered
/// when that index applies — or reported lost if another term's entry took
/// it), requests forwarded to the leader by request id, and leadership
/// transfers (answered when the leader changes). Bounded, and every waiter
/// has a deadline, so none is left hanging.
public struct ProposalWaiters {
    public typealias Completion = @Sendable (APIReply) -> Void

    private struct Local {
        let term: UInt64
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private struct Forwarded {
        let deadline: MonotonicInstant
        let endsWithLeaderChange: Bool
        let completion: Completion
    }

    private struct Transfer {
        let target: NodeID
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private var local: [UInt64: Local] = [:]
    private var forwarded: [UInt64: Forwarded] = [:]
    private var transfers: [Transfer] = []
    private var nextRequestID: UInt64 = 1

    public init() {}

    public var count: Int { local.count + forwarded.count + transfers.count }

    public mutating func addLocal(index: UInt64, term: UInt64, deadline: MonotonicInstant, completion: @escaping Completion) {
        local[index]?.completion(Self.lost)
        local[index] = Local(term: term, deadline: deadline, completion: completion)
    }

    public mutating func addForwarded(deadline: MonotonicInstant, endsWithLeaderChange: Bool,
                               completion: @escaping Completion) -> UInt64 {
        let id = nextRequestID
        nextRequestID += 1
        forwarded[id] = Forwarded(deadline: deadline, endsWithLeaderChange: endsWithLeaderChange, completion: completion)
        return id
    }

    public mutating func addTransfer(target: NodeID, deadline: MonotonicInstant, completion: @escaping Completion) {
        transfers.append(Transfer(target: target, deadline: deadline, completion: completion))
    }

    /// The entry at `index` applied with `term`; `outcome` is nil for entries that carried no
    /// command. Returns the answer for its waiter, if any, for the caller to send once the state
    /// it applied to is published, so that the next read on this coordinator shows the write.
    public mutating func resolve(index: UInt64, term: UInt64, outcome: FleetOutcome?) -> (() -> Void)? {
        guard let waiter = local.removeValue(forKey: index) else { return nil }
        let reply = waiter.term == term ? outcome.map(FleetReplies.render) ?? Self.lost : Self.lost
        return { waiter.completion(reply) }
    }

    /// The leader changed to `leader` (none while an election runs): transfers
    /// to it succeeded, others failed; forwarded writes will not be answered.
    public mutating func leaderChanged(to leader: NodeID, render: (Bool) -> APIReply) {
        guard leader != .none else { return failForwardedWrites() }
        for transfer in transfers { transfer.completion(render(transfer.target == leader)) }
        transfers.removeAll()
        failForwardedWrites()
    }

    public mutating func resolveForwarded(requestID: UInt64, reply: APIReply) {
        forwarded.removeValue(forKey: requestID)?.completion(reply)
    }

    public mutating func expire(now: MonotonicInstant) {
        for (index, waiter) in local where waiter.deadline <= now {
            local[index] = nil
            waiter.completion(Self.timedOut)
        }
        for (id, waiter) in forwarded where waiter.deadline <= now {
            forwarded[id] = nil
            waiter.completion(Self.timedOut)
        }
        let (expired, waiting) = (transfers.filter { $0.deadline <= now }, transfers.filter { $0.deadline > now })
        transfers = waiting
        for transfer in expired { transfer.completion(Self.transferTimedOut) }
    }

    private mutating func failForwardedWrites() {
        for (id, waiter) in forwarded where waiter.endsWithLeaderChange {
            forwarded[id] = nil
            waiter.completion(Self.leaderChanged)
        }
    }

    public mutating func failAll(with reply: APIReply) {
        for waiter in local.values { waiter.completion(reply) }
        for waiter in forwarded.values { waiter.completion(reply) }
        for transfer in transfers { transfer.completion(reply) }
        local.removeAll()
        forwarded.removeAll()
        transfers.removeAll()
    }

    public static let lost = APIReply.error(503, "proposal_lost",
                                     "leadership changed before the write committed; it was not applied — retry",
                                     retryAfterSeconds: 1)
    /// The old leader may have committed the write before it lost the lead;
    /// only its answer is lost, so the outcome is unknown, not "not applied".
    public static let leaderChanged = APIReply.error(503, "leader_changed",
                                              "the leader changed before answering; the write may have applied — retrying a PUT is safe",
                                              retryAfterSeconds: 1)
    public static let timedOut = APIReply.error(503, "commit_timeout",
                                         "the write was not committed in time; it may still apply — retrying a PUT is safe",
                                         retryAfterSeconds: 1)
    public static let transferTimedOut = APIReply.error(503, "transfer_timeout",
                                                 "leadership did not move in time; the transfer was abandoned",
                                                 retryAfterSeconds: 1)
}
