import Consensus
import Fleet
import Transport
import Wire

extension RaftService {
    /// Submits a write from any thread. The leader proposes it; a follower
    /// forwards it to the leader over the peer link. `completion` runs on the
    /// Raft loop with the rendered answer.
    func submit(_ command: FleetCommand, completion: @escaping @Sendable (APIReply) -> Void) {
        let bytes = FleetCodec.encode(command)
        loop.execute { [self] in submitOnLoop(bytes, mayForward: true, completion: completion) }
    }

    func submitOnLoop(_ bytes: [UInt8], mayForward: Bool, completion: @escaping @Sendable (APIReply) -> Void) {
        guard waiters.count < Self.pendingProposalsMaximum else {
            return completion(.error(429, "too_many_pending_writes", "too many writes in flight; retry shortly",
                                     retryAfterSeconds: 1))
        }
        catchUpTicks()
        let deadline = MonotonicInstant.now().advanced(by: Self.proposalTimeout)
        let status = node.status
        if status.role == .leader {
            do {
                try node.propose(bytes)
            } catch {
                return completion(reply(for: error))
            }
            let after = node.status
            waiters.addLocal(index: after.lastIndex, term: after.term, deadline: deadline, completion: completion)
            scheduleProcess()
        } else if mayForward, status.leader != .none, let link = links[status.leader], link.isConnected {
            let id = waiters.addForwarded(deadline: deadline, completion: completion)
            var writer = BinaryWriter()
            writer.write(id)
            writer.writeLengthPrefixed(bytes)
            link.send(Frame(kind: FrameKind.forwardProposal.rawValue, payload: writer.bytes))
        } else {
            completion(.noLeader("no leader is known yet; retry shortly"))
        }
    }

    /// A follower handed us a write. Forwarded writes are never forwarded again.
    func handleForwardedProposal(from peer: NodeID, payload: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(payload)
        let requestID = try reader.readUInt64()
        let bytes = try reader.readLengthPrefixed(maximumBytes: FrameCodec.frameSizeMaximumBytesDefault)
        try reader.expectEnd()
        submitOnLoop(bytes, mayForward: false) { [self] reply in
            links[peer]?.send(Frame(kind: FrameKind.forwardResult.rawValue, payload: reply.encoded(requestID: requestID)))
        }
    }

    func handleForwardResult(payload: [UInt8]) throws(BinaryDecodingError) {
        let (requestID, reply) = try APIReply.decode(payload)
        waiters.resolveForwarded(requestID: requestID, reply: reply)
    }

    private func reply(for error: ProposalError) -> APIReply {
        switch error {
        case .leaseExpired, .notLeader, .leadershipTransferInProgress:
            return .noLeader(error.description)
        case .tooLarge:
            return .error(413, "proposal_too_large", error.description)
        default:
            return .error(503, "proposal_refused", error.description, retryAfterSeconds: 1)
        }
    }

    static let pendingProposalsMaximum = 4_096
    static let proposalTimeout: Duration = .seconds(5)
}
