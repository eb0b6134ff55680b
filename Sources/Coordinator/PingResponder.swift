import Transport
import Wire

/// The walking skeleton's frame protocol on the peer and agent ports: a ping
/// is answered with a pong carrying the same payload; any other kind closes
/// the connection. Consensus and agent reports replace it in later issues.
final class PingResponder: FrameReceiver {
    func channelDidOpen(_ channel: FrameChannel) {}

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        guard frame.kind == FrameKind.ping.rawValue else {
            throw FrameChannelError("unexpected frame kind \(frame.kind) from \(channel.peer.map { "\($0)" } ?? "unknown peer")")
        }
        channel.send(Frame(kind: FrameKind.pong.rawValue, payload: frame.payload))
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) {}
}
