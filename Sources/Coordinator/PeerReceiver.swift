import Consensus
import Transport
import Wire

/// The peer port's protocol: pings, Raft messages and forwarded writes from
/// other coordinators. The sender is the node named in its certificate; a
/// message claiming to come from another node, or addressed elsewhere, closes
/// the connection.
final class PeerReceiver: FrameReceiver {
    private let service: RaftService

    init(service: RaftService) {
        self.service = service
    }

    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        guard let peerName = channel.peer?.name, let peer = service.topology.member(named: peerName) else {
            throw FrameChannelError("peer \(channel.peer.map { "\($0)" } ?? "?") is not a cluster member")
        }
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
        case .pong, nil:
            throw FrameChannelError("unexpected frame kind \(frame.kind) from \(peerName)")
        }
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {}
}
