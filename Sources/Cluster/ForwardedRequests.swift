import Consensus
import Primitives

/// Requests this coordinator forwarded to the leader, waiting for its answer by request id.
/// Every one has a deadline, so none is left hanging; the caller bounds how many wait
/// (`RaftService.pendingProposalsMaximum` counts them with its own proposals).
///
/// Ids start where the caller says — at random per incarnation in the coordinator, as read
/// ids do — so a late answer meant for an earlier incarnation of this process (a leader's
/// answer, or a streamed document restarted on the new connection) names no request of this
/// one; and an answer is taken only from the leader its request was sent to.
public struct ForwardedRequests {
    public typealias Completion = @Sendable (ClusterOutcome) -> Void

    /// What became of an answer handed to `resolve`.
    public enum Resolution: Equatable, Sendable {
        /// It answered its request.
        case resolved
        /// No request waits under its id (it timed out or was answered already); dropped.
        case unknown
        /// Its request was sent to `expected`, not to the peer the answer came from; dropped,
        /// and the request waits on.
        case wrongSender(expected: NodeID)
    }

    private struct Waiter {
        let leader: NodeID
        let deadline: MonotonicInstant
        let endsWithLeaderChange: Bool
        let completion: Completion
    }

    private var waiting: [UInt64: Waiter] = [:]
    private var nextRequestID: UInt64

    public init(firstRequestID: UInt64) {
        nextRequestID = firstRequestID
    }

    public var count: Int { waiting.count }

    /// The id the request goes to `leader` with.
    public mutating func add(leader: NodeID, deadline: MonotonicInstant, endsWithLeaderChange: Bool,
                             completion: @escaping Completion) -> UInt64 {
        let id = nextRequestID
        nextRequestID &+= 1
        waiting[id] = Waiter(leader: leader, deadline: deadline, endsWithLeaderChange: endsWithLeaderChange, completion: completion)
        return id
    }

    /// The answer `sender` gave to `requestID`: it completes the request only if the request
    /// waits and was sent to `sender`.
    @discardableResult
    public mutating func resolve(requestID: UInt64, from sender: NodeID, outcome: ClusterOutcome) -> Resolution {
        guard let waiter = waiting[requestID] else { return .unknown }
        guard waiter.leader == sender else { return .wrongSender(expected: waiter.leader) }
        waiting[requestID] = nil
        waiter.completion(outcome)
        return .resolved
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
