/// The leader's answer to a `Report`: every sample up to `acknowledgedSequence` is stored, and
/// the agent may forget them (`SampleBuffer.acknowledge(upTo:)`). The agent applies it only if
/// `leaderTerm` is at least the highest term it has seen, so a deposed leader cannot make it
/// drop samples the real leader never got.
public struct ReportAck: Equatable, Sendable {
    public var leaderTerm: UInt64
    public var acknowledgedSequence: UInt64

    public init(leaderTerm: UInt64, acknowledgedSequence: UInt64) {
        self.leaderTerm = leaderTerm
        self.acknowledgedSequence = acknowledgedSequence
    }
}
