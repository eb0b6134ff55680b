import Cluster
import Consensus
import Observability
import Primitives
import Transport
import Wire

/// Requests that reach a follower — writes, cluster operations, node reads — go to the leader
/// over the peer link (`forwardProposal`: the request id, then the `ClusterRequest`), and the
/// leader's answer comes back (`forwardResult`, or a chunked transfer when it does not fit one
/// frame). This type holds both ends: on a follower the requests waiting for their answer, on
/// the leader the sending of answers. A forwarded request is never forwarded again (no
/// ping-pong while leadership moves). Owned by `RaftService` and confined to its loop.
final class RequestForwarding: @unchecked Sendable {
    typealias Completion = @Sendable (APIReply) -> Void

    private let peers: PeerLinks
    private let logger: Logger
    private var waiting = ForwardedRequests()

    init(peers: PeerLinks, logger: Logger) {
        self.peers = peers
        self.logger = logger
    }

    /// Requests forwarded from here that wait for the leader's answer.
    var count: Int { waiting.count }

    /// On a follower: sends `request` to `leader`, whose answer reaches `completion`; answers
    /// `no_leader` at once when no leader is known or the link to it is down.
    func forward(_ request: ClusterRequest, to leader: NodeID, completion: @escaping Completion) {
        guard leader != .none, let link = peers.link(to: leader), link.isConnected else {
            return completion(.noLeader(RaftService.noLeaderKnown))
        }
        let id = waiting.add(deadline: MonotonicInstant.now().advanced(by: RaftService.proposalTimeout),
                             endsWithLeaderChange: request.endsWithLeaderChange, completion: completion)
        var writer = BinaryWriter()
        writer.write(id)
        let frame = Frame(kind: FrameKind.forwardProposal.rawValue, payload: writer.bytes + request.encoded)
        if !peers.send(frame, to: leader, what: "forwarded request") {
            waiting.resolve(requestID: id, reply: .error(
                413, "request_too_large", "the request does not fit one \(link.frameSizeMaximumBytes)-byte peer frame"))
        }
    }

    /// On the leader: a request `peer` forwarded. `submit` carries it out here (never forwarding
    /// it again), and its answer goes back to `peer`.
    func receiveRequest(from peer: NodeID, payload: [UInt8],
                        submit: (ClusterRequest, @escaping Completion) -> Void) throws(BinaryDecodingError) {
        var reader = BinaryReader(payload)
        let requestID = try reader.readUInt64()
        let request = try ClusterRequest.decode(&reader)
        try reader.expectEnd()
        submit(request) { [self] reply in answer(reply, requestID: requestID, to: peer) }
    }

    /// On a follower: the leader's answer to a request forwarded from here, whether it came in
    /// one frame or as a chunked transfer.
    func receiveAnswer(requestID: UInt64, reply: APIReply) {
        waiting.resolve(requestID: requestID, reply: reply)
    }

    /// The leader changed, or an election began: writes and queries forwarded to the old leader
    /// will not be answered.
    func leaderChanged() {
        waiting.leaderChanged()
    }

    func expire(now: MonotonicInstant) {
        waiting.expire(now: now)
    }

    func failAll(with reply: APIReply) {
        waiting.failAll(with: reply)
    }

    /// The answer to request `requestID` forwarded by `peer`: one frame when it fits, else a
    /// chunked transfer; an answer over what a follower assembles becomes an error saying so.
    private func answer(_ reply: APIReply, requestID: UInt64, to peer: NodeID) {
        guard let link = peers.link(to: peer) else { return }
        let frame = Frame(kind: FrameKind.forwardResult.rawValue, payload: reply.encoded(requestID: requestID))
        if frame.declaredBytes <= link.frameSizeMaximumBytes {
            peers.send(frame, to: peer, what: "forwarded answer")
            return
        }
        let refusal: APIReply
        if UInt64(reply.body.count) > SnapshotInbox.forwardedAnswerBytesMaximum {
            refusal = .error(500, "answer_too_large", "the answer of \(reply.body.count) bytes exceeds the "
                + "\(SnapshotInbox.forwardedAnswerBytesMaximum)-byte limit of answers forwarded between coordinators; "
                + "ask the leader directly")
        } else if peers.outbox(to: peer)?.offerAnswer(reply, requestID: requestID) == true {
            return
        } else {
            refusal = .error(503, "forwarding_busy", "too many large answers are on their way to this coordinator; retry",
                             retryAfterSeconds: 1)
        }
        logger.warning("forwarded answer refused", ["to": peers.displayName(of: peer), "bytes": "\(reply.body.count)",
                                                    "status": "\(refusal.status)"])
        peers.send(Frame(kind: FrameKind.forwardResult.rawValue, payload: refusal.encoded(requestID: requestID)), to: peer,
                   what: "forwarded answer refusal")
    }
}
