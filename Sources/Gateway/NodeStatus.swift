/// What the leader says of a node's agent: `live` while it reports,
/// `suspect` after it missed a few intervals, `down` after longer.
public enum NodeStatus: String, Sendable, CaseIterable {
    case live, suspect, down
}

/// When a node turns suspect or down, and the grace after a leader change
/// during which no node is declared either while agents re-attach (as Nomad
/// resets heartbeat TTLs on failover). Times are monotonic nanoseconds.
public struct LivenessPolicy: Sendable, Equatable {
    public var suspectAfterNanoseconds: UInt64
    public var downAfterNanoseconds: UInt64
    public var failoverGraceNanoseconds: UInt64

    public init(suspectAfterNanoseconds: UInt64, downAfterNanoseconds: UInt64, failoverGraceNanoseconds: UInt64) {
        precondition(suspectAfterNanoseconds <= downAfterNanoseconds, "suspect comes before down")
        self.suspectAfterNanoseconds = suspectAfterNanoseconds
        self.downAfterNanoseconds = downAfterNanoseconds
        self.failoverGraceNanoseconds = failoverGraceNanoseconds
    }

    /// Only reports taken since this node began leading count. A node with
    /// none is live until the grace ends, then ages from the grace's end as
    /// if its last report had been due then.
    public func status(lastReportAt: UInt64?, leadingSince: UInt64, now: UInt64) -> NodeStatus {
        let graceEnd = leadingSince &+ failoverGraceNanoseconds
        let reference: UInt64
        if let lastReportAt, lastReportAt >= leadingSince {
            reference = lastReportAt
        } else {
            guard now >= graceEnd else { return .live }
            reference = graceEnd &- min(graceEnd, suspectAfterNanoseconds)
        }
        let age = now >= reference ? now - reference : 0
        if age < suspectAfterNanoseconds { return .live }
        return age < downAfterNanoseconds ? .suspect : .down
    }
}
