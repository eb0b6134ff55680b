import Primitives

/// Requests this coordinator forwarded to the leader, waiting for its answer by request id.
/// Every one has a deadline, so none is left hanging; the caller bounds how many wait
/// (`RaftService.pendingProposalsMaximum` counts them with its own proposals).
public struct ForwardedRequests {
    public typealias Completion = @Sendable (ClusterOutcome) -> Void

    private struct Waiter {
        let deadline: MonotonicInstant
        let endsWithLeaderChange: Bool
        let completion: Completion
    }

    private var waiting: [UInt64: Waiter] = [:]
    private var nextRequestID: UInt64 = 1

    public init() {}

    public var count: Int { waiting.count }

    /// The id the request goes to the leader with.
    public mutating func add(deadline: MonotonicInstant, endsWithLeaderChange: Bool, completion: @escaping Completion) -> UInt64 {
        let id = nextRequestID
        nextRequestID += 1
        waiting[id] = Waiter(deadline: deadline, endsWithLeaderChange: endsWithLeaderChange, completion: completion)
        return id
    }

    /// The leader's answer to `requestID`; one for no waiting request (it timed out) is dropped.
    public mutating func resolve(requestID: UInt64, outcome: ClusterOutcome) {
        waiting.removeValue(forKey: requestID)?.completion(outcome)
    }

    /// The leader changed, or an election began: the old leader will not answer the writes and
    /// queries forwarded to it. A transfer or membership change waits on (a leader change is
    /// what a transfer waits for).
    public mutating func leaderChanged() {
        for (id, waiter) in waiting where waiter.endsWithLeaderChange {
            waiting[id] = nil
            waiter.completion(.refused(.leaderChanged))
        }
    }

    public mutating func expire(now: MonotonicInstant) {
        for (id, waiter) in waiting where waiter.deadline <= now {
            waiting[id] = nil
            waiter.completion(.refused(.commitTimeout))
        }
    }

    public mutating func failAll(with refusal: ClusterRefusal) {
        let all = waiting.values
        waiting.removeAll()
        for waiter in all { waiter.completion(.refused(refusal)) }
    }
}
