import Cluster
import Consensus
import Observability
import Transport
import Wire

extension RaftService {
    /// Sends a Raft message: a snapshot as a chunked transfer paced by the
    /// link, anything else in one `.raft` frame.
    func sendRaftMessage(_ message: Message) {
        guard message.kind != .snapshot else {
            outbox(to: message.to)?.offerSnapshot(message)
            return
        }
        sendFrame(Frame(kind: FrameKind.raft.rawValue, payload: PeerMessageCodec.encode(message)), to: message.to,
                  what: "Raft \(message.kind)")
    }

    /// Sends one frame on the link to `id`; a frame over the link's limit is
    /// refused there (and counted), logged here, and reported as false.
    @discardableResult
    func sendFrame(_ frame: Frame, to id: NodeID, what: @autoclosure () -> String) -> Bool {
        link(to: id)?.send(frame, what: "\(what()) to \(directory.displayName(of: id))", refusalsTo: logger) ?? false
    }

    /// The leader's answer to request `requestID` forwarded by `peer`: one
    /// frame when it fits, else a chunked transfer; an answer over what a
    /// follower assembles becomes an error saying so.
    func sendForwardedAnswer(_ reply: APIReply, requestID: UInt64, to peer: NodeID) {
        guard let link = link(to: peer) else { return }
        let frame = Frame(kind: FrameKind.forwardResult.rawValue, payload: reply.encoded(requestID: requestID))
        if frame.declaredBytes <= link.frameSizeMaximumBytes {
            sendFrame(frame, to: peer, what: "forwarded answer")
            return
        }
        let refusal: APIReply
        if UInt64(reply.body.count) > SnapshotInbox.forwardedAnswerBytesMaximum {
            refusal = .error(500, "answer_too_large", "the answer of \(reply.body.count) bytes exceeds the "
                + "\(SnapshotInbox.forwardedAnswerBytesMaximum)-byte limit of answers forwarded between coordinators; "
                + "ask the leader directly")
        } else if outbox(to: peer)?.offerAnswer(reply, requestID: requestID) == true {
            return
        } else {
            refusal = .error(503, "forwarding_busy", "too many large answers are on their way to this coordinator; retry",
                             retryAfterSeconds: 1)
        }
        logger.warning("forwarded answer refused", ["to": directory.displayName(of: peer), "bytes": "\(reply.body.count)",
                                                    "status": "\(refusal.status)"])
        sendFrame(Frame(kind: FrameKind.forwardResult.rawValue, payload: refusal.encoded(requestID: requestID)), to: peer,
                  what: "forwarded answer refusal")
    }

    /// A chunked answer to a request this follower forwarded arrived whole.
    func handleForwardedAnswer(requestID: UInt64, reply: APIReply) {
        waiters.resolveForwarded(requestID: requestID, reply: reply)
    }

    /// The transfer queue of the link to `id`, made with the link and
    /// replaced with it (a member that left and came back gets a new link).
    private func outbox(to id: NodeID) -> TransferOutbox? {
        guard let link = link(to: id) else { return nil }
        if let existing = transferOutboxes[id], existing.link === link { return existing }
        let made = TransferOutbox(link: link, peerName: directory.displayName(of: id), logger: logger) { [unowned self] header in
            let status = node.status
            return status.role == .leader && status.term == header.term
        }
        transferOutboxes[id] = made
        return made
    }
}
