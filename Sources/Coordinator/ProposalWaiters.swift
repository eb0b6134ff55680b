import Fleet
import Transport

/// Writes waiting for their outcome: local proposals by log index (answered
/// when that index applies — or reported lost if another term's entry took
/// it), and writes forwarded to the leader by request id. Bounded, and every
/// waiter has a deadline, so none is left hanging.
struct ProposalWaiters {
    typealias Completion = @Sendable (APIReply) -> Void

    private struct Local {
        let term: UInt64
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private struct Forwarded {
        let deadline: MonotonicInstant
        let completion: Completion
    }

    private var local: [UInt64: Local] = [:]
    private var forwarded: [UInt64: Forwarded] = [:]
    private var nextRequestID: UInt64 = 1

    var count: Int { local.count + forwarded.count }

    mutating func addLocal(index: UInt64, term: UInt64, deadline: MonotonicInstant, completion: @escaping Completion) {
        local[index]?.completion(Self.lost)
        local[index] = Local(term: term, deadline: deadline, completion: completion)
    }

    mutating func addForwarded(deadline: MonotonicInstant, completion: @escaping Completion) -> UInt64 {
        let id = nextRequestID
        nextRequestID += 1
        forwarded[id] = Forwarded(deadline: deadline, completion: completion)
        return id
    }

    /// The entry at `index` applied with `term`; `outcome` is nil for non-command entries.
    mutating func resolve(index: UInt64, term: UInt64, outcome: FleetOutcome?) {
        guard let waiter = local.removeValue(forKey: index) else { return }
        guard waiter.term == term, let outcome else { return waiter.completion(Self.lost) }
        waiter.completion(EnvironmentReplies.render(outcome))
    }

    mutating func resolveForwarded(requestID: UInt64, reply: APIReply) {
        forwarded.removeValue(forKey: requestID)?.completion(reply)
    }

    mutating func expire(now: MonotonicInstant) {
        for (index, waiter) in local where waiter.deadline <= now {
            local[index] = nil
            waiter.completion(Self.timedOut)
        }
        for (id, waiter) in forwarded where waiter.deadline <= now {
            forwarded[id] = nil
            waiter.completion(Self.timedOut)
        }
    }

    /// Writes forwarded to a leader that is no longer leader will not be answered.
    mutating func failForwarded(with reply: APIReply) {
        for waiter in forwarded.values { waiter.completion(reply) }
        forwarded.removeAll()
    }

    mutating func failAll(with reply: APIReply) {
        for waiter in local.values { waiter.completion(reply) }
        for waiter in forwarded.values { waiter.completion(reply) }
        local.removeAll()
        forwarded.removeAll()
    }

    static let lost = APIReply.error(503, "proposal_lost",
                                     "leadership changed before the write committed; it was not applied — retry",
                                     retryAfterSeconds: 1)
    static let timedOut = APIReply.error(503, "commit_timeout",
                                         "the write was not committed in time; it may still apply — retrying a PUT is safe",
                                         retryAfterSeconds: 1)
}
