import Cluster
import Consensus
import Transport
import Wire

/// The peer port's protocol: pings, Raft messages, forwarded requests and
/// their answers, and chunked transfers (snapshots, large answers) from
/// other coordinators. The sender is the node named in its certificate; a
/// message claiming to come from another node, or addressed elsewhere,
/// closes the connection.
final class PeerReceiver: FrameReceiver {
    private let service: RaftService
    private let inbox: SnapshotInbox
    /// The member this connection's certificate names, looked up on its first frame.
    private var peer: ClusterTopology.Member?
    private var transfers: TransferReception?

    init(service: RaftService, inbox: SnapshotInbox) {
        self.service = service
        self.inbox = inbox
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        let peer = try knownPeer(of: channel)
        try transfers?.checkProgress(now: .now())
        switch FrameKind(rawValue: frame.kind) {
        case .ping:
            channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload), what: "pong", refusalsTo: inbox.logger)
        case .raft:
            let message: Message
            do { message = try PeerMessageCodec.decode(frame.payload) } catch {
                throw FrameChannelError("bad Raft message from \(peer.name): \(error)")
            }
            try deliver(message, from: peer)
        case .forwardProposal:
            let payload = frame.payload
            service.loop.execute { [service, inbox] in
                do { try service.receiveForwardedRequest(from: peer.id, payload: payload) } catch {
                    inbox.logger.warning("malformed forwarded request dropped", ["peer": peer.name, "error": "\(error)"])
                }
            }
        case .forwardResult:
            let answer: ForwardedAnswer
            do { answer = try ForwardedAnswer.decode(frame.payload) } catch {
                throw FrameChannelError("bad forwarded answer from \(peer.name): \(error)")
            }
            service.loop.execute { [service] in service.forwarding.receiveAnswer(requestID: answer.requestID, outcome: answer.outcome) }
        case .transferBegin:
            try reception(for: peer).begin(frame.payload)
        case .transferChunk:
            try reception(for: peer).chunk(frame.payload)
        case .transferEnd:
            switch try reception(for: peer).end(frame.payload) {
            case let .snapshot(message): try deliver(message, from: peer)
            case let .answer(requestID, outcome):
                service.loop.execute { [service] in service.forwarding.receiveAnswer(requestID: requestID, outcome: outcome) }
            }
        case .pong, .report, .reportAck, .agentHello, .agentWelcome, .agentRedirect, .agentCommand, .agentCommandResult, nil:
            throw FrameChannelError("unexpected frame kind \(frame.kind) from \(peer.name)")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {
        transfers?.abandon()
    }

    private func deliver(_ message: Message, from peer: ClusterTopology.Member) throws(FrameChannelError) {
        guard message.from == peer.id, message.to == service.selfMember.id else {
            throw FrameChannelError("\(peer.name) sent a message claiming from=\(message.from) to=\(message.to)")
        }
        service.loop.execute { [service] in service.receive(message) }
    }

    private func reception(for peer: ClusterTopology.Member) -> TransferReception {
        if let transfers { return transfers }
        let made = TransferReception(inbox: inbox, peer: peer, selfID: service.selfMember.id)
        transfers = made
        return made
    }

    private func knownPeer(of channel: FrameChannel) throws(FrameChannelError) -> ClusterTopology.Member {
        if let peer { return peer }
        guard let name = channel.peer?.name, let member = service.view.directory.member(named: name) else {
            throw FrameChannelError("peer \(channel.peer.map { "\($0)" } ?? "?") is not a known cluster member")
        }
        peer = member
        return member
    }
}
