/// The frame kinds of the peer and agent protocols. A receiver closes the
/// connection on a kind it does not expect.
public enum FrameKind: UInt8, Sendable, CaseIterable {
    case ping = 1
    case pong = 2
    /// Peer port: one Raft message (Coordinator's `PeerMessageCodec`).
    case raft = 3
    /// Peer port: a follower hands a write to the leader (request id + command).
    case forwardProposal = 4
    /// Peer port: the leader's rendered answer to a forwarded write.
    case forwardResult = 5
}
