import Cluster
import Consensus
import Observability
import Primitives
import Transport
import Wire

/// Requests that reach a follower — writes, cluster operations, node reads — go to the leader
/// over the peer link (`forwardProposal`: the request id, then the `ClusterRequest`), and the
/// leader's outcome comes back (`forwardResult`: a `ForwardedAnswer`; a gateway document too
/// large for one frame as a chunked transfer), which the follower's route renders. This type
/// holds both ends: on a follower the requests waiting for their answer, on the leader the
/// sending of answers. A forwarded request is never forwarded again (no ping-pong while
/// leadership moves). Request ids start at random per incarnation and an answer is taken only
/// from the leader its request went to (`ForwardedRequests`). Owned by `RaftService` and
/// confined to its loop.
final class RequestForwarding: @unchecked Sendable {
    typealias Completion = @Sendable (ClusterOutcome) -> Void

    private let peers: PeerLinks
    private let logger: Logger
    private var waiting: ForwardedRequests

    init(peers: PeerLinks, logger: Logger, firstRequestID: UInt64) {
        self.peers = peers
        self.logger = logger
        waiting = ForwardedRequests(firstRequestID: firstRequestID)
    }

    /// Requests forwarded from here that wait for the leader's answer.
    var count: Int { waiting.count }

    /// On a follower: sends `request` to `leader`, whose answer reaches `completion`; answers
    /// `no_leader` at once when no leader is known or the link to it is down.
    func forward(_ request: ClusterRequest, to leader: NodeID, completion: @escaping Completion) {
        guard leader != .none, let link = peers.link(to: leader), link.isConnected else {
            return completion(.refused(.noLeader(RaftService.noLeaderKnown)))
        }
        let id = waiting.add(leader: leader, deadline: MonotonicInstant.now().advanced(by: RaftService.proposalTimeout),
                             endsWithLeaderChange: request.endsWithLeaderChange, completion: completion)
        let frame = Frame(kind: FrameKind.forwardProposal.rawValue, payload: ForwardedRequest(requestID: id, request: request).encoded)
        if !peers.send(frame, to: leader, what: "forwarded request") {
            waiting.resolve(requestID: id, from: leader, outcome: .refused(.requestTooLarge(frameBytesMaximum: link.frameSizeMaximumBytes)))
        }
    }

    /// On the leader: a request `peer` forwarded. `submit` carries it out here (never forwarding
    /// it again), and its answer goes back to `peer`. One whose id reads but whose request does
    /// not decode (a follower of a newer build) is refused at once and logged; only a payload too
    /// short to name its request throws.
    func receiveRequest(from peer: NodeID, payload: [UInt8],
                        submit: (ClusterRequest, @escaping Completion) -> Void) throws(BinaryDecodingError) {
        let forwarded: ForwardedRequest
        do throws(BinaryDecodingError) { forwarded = try ForwardedRequest.decode(payload) } catch {
            guard let refused = ForwardedRequest.undecodable(payload, error: error) else { throw error }
            logger.warning("forwarded request does not decode (does the follower run a newer build?); it is refused",
                           ["from": peers.displayName(of: peer), "request": "\(refused.requestID)", "error": "\(error)"])
            return answer(refused.outcome, requestID: refused.requestID, to: peer)
        }
        submit(forwarded.request) { [self] outcome in answer(outcome, requestID: forwarded.requestID, to: peer) }
    }

    /// On a follower: `sender`'s answer to a request forwarded from here, whether it came in one
    /// frame or as a chunked transfer. One from another peer than the request went to is logged
    /// and dropped; one for no waiting request (it timed out) too.
    func receiveAnswer(requestID: UInt64, from sender: NodeID, outcome: ClusterOutcome) {
        switch waiting.resolve(requestID: requestID, from: sender, outcome: outcome) {
        case .resolved: break
        case .unknown:
            logger.info("forwarded answer for no waiting request dropped",
                        ["from": peers.displayName(of: sender), "request": "\(requestID)", "outcome": outcome.logSummary])
        case let .wrongSender(expected):
            logger.warning("forwarded answer from a peer the request was not sent to dropped",
                           ["from": peers.displayName(of: sender), "sent_to": peers.displayName(of: expected),
                            "request": "\(requestID)"])
        }
    }

    /// The leader changed, or an election began: writes and queries forwarded to the old leader
    /// will not be answered.
    func leaderChanged() {
        waiting.leaderChanged()
    }

    func expire(now: MonotonicInstant) {
        waiting.expire(now: now)
    }

    func failAll(with refusal: ClusterRefusal) {
        waiting.failAll(with: refusal)
    }

    /// The outcome of request `requestID` forwarded by `peer`, in one frame when it fits. A
    /// gateway document that does not goes as a chunked transfer; one over what a follower
    /// assembles, or with too many already on their way, is answered with a refusal saying so.
    private func answer(_ outcome: ClusterOutcome, requestID: UInt64, to peer: NodeID) {
        guard let link = peers.link(to: peer) else { return }
        let payload = ForwardedAnswer(requestID: requestID, outcome: outcome).encoded
        let frame = Frame(kind: FrameKind.forwardResult.rawValue, payload: payload)
        if frame.declaredBytes <= link.frameSizeMaximumBytes {
            peers.send(frame, to: peer, what: "forwarded answer")
            return
        }
        let maximumBytes = SnapshotInbox.forwardedAnswerBytesMaximum
        let refusal: ClusterRefusal
        switch outcome {
        case let .document(document) where UInt64(document.count) <= maximumBytes:
            let deadline = MonotonicInstant.now().advanced(by: RaftService.proposalTimeout)
            if peers.outbox(to: peer)?.offerDocument(document, requestID: requestID, deadline: deadline) == true { return }
            refusal = .forwardingBusy
        case let .document(document):
            refusal = .answerTooLarge(bytes: document.count, maximumBytes: Int(maximumBytes))
        default:
            // Only a gateway document grows this large; anything else is refused by its encoded size.
            refusal = .answerTooLarge(bytes: payload.count, maximumBytes: Int(maximumBytes))
        }
        logger.warning("forwarded answer refused", ["to": peers.displayName(of: peer), "bytes": "\(payload.count)",
                                                    "refusal": "\(refusal)"])
        let refused = ForwardedAnswer(requestID: requestID, outcome: .refused(refusal))
        peers.send(Frame(kind: FrameKind.forwardResult.rawValue, payload: refused.encoded), to: peer, what: "forwarded answer refusal")
    }
}
