/// The frame kinds of the peer and agent protocols. A receiver closes the
/// connection on a kind it does not expect.
public enum FrameKind: UInt8, Sendable, CaseIterable {
    case ping = 1
    case pong = 2
}
