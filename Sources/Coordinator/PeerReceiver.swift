import Consensus
import Transport
import Wire

/// The peer port's protocol: pings, Raft messages and forwarded writes from
/// other coordinators. The sender is the node named in its certificate; a
/// message claiming to come from another node, or addressed elsewhere, closes
/// the connection.
final class PeerReceiver: FrameReceiver {
    private let service: RaftService
    /// The member this connection's certificate names, looked up on its first frame.
    private var peer: ClusterTopology.Member?

    init(service: RaftService) {
        self.service = service
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        let peer = try knownPeer(of: channel)
        let peerName = peer.name
        switch FrameKind(rawValue: frame.kind) {
        case .ping:
            channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload))
        case .raft:
            let message: Message
            do { message = try PeerMessageCodec.decode(frame.payload) } catch {
                throw FrameChannelError("bad Raft message from \(peerName): \(error)")
            }
            guard message.from == peer.id, message.to == service.selfMember.id else {
                throw FrameChannelError("\(peerName) sent a message claiming from=\(message.from) to=\(message.to)")
            }
            service.loop.execute { [service] in service.receive(message) }
        case .forwardProposal:
            let payload = frame.payload
            service.loop.execute { [service] in try? service.handleForwardedProposal(from: peer.id, payload: payload) }
        case .forwardResult:
            let payload = frame.payload
            service.loop.execute { [service] in try? service.handleForwardResult(payload: payload) }
        case .pong, .report, .reportAck, .agentHello, .agentWelcome, .agentRedirect, .agentCommand, .agentCommandResult, nil:
            throw FrameChannelError("unexpected frame kind \(frame.kind) from \(peerName)")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {}

    private func knownPeer(of channel: FrameChannel) throws(FrameChannelError) -> ClusterTopology.Member {
        if let peer { return peer }
        guard let name = channel.peer?.name, let member = service.view.directory.member(named: name) else {
            throw FrameChannelError("peer \(channel.peer.map { "\($0)" } ?? "?") is not a known cluster member")
        }
        peer = member
        return member
    }
}
