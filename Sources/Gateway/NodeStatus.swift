import Primitives

/// What the leader says of a node's agent: `live` while it reports,
/// `suspect` after it missed a few intervals, `down` after longer.
public enum NodeStatus: String, Sendable, CaseIterable {
    case live, suspect, down
}

/// When a node turns suspect or down, and the grace after a leader change
/// during which no node is declared either while agents re-attach (as Nomad
/// resets heartbeat TTLs on failover). Times are on the monotonic clock.
public struct LivenessPolicy: Sendable, Equatable {
    public let suspectAfter: Duration
    public let downAfter: Duration
    public let failoverGrace: Duration
    /// The same in nanoseconds: `status` runs for every node of every listing, and taking a
    /// `Duration` apart each time showed in its profile.
    private let suspectAfterNanoseconds: UInt64
    private let downAfterNanoseconds: UInt64

    public init(suspectAfter: Duration, downAfter: Duration, failoverGrace: Duration) {
        precondition(suspectAfter.wholeNanoseconds <= downAfter.wholeNanoseconds, "suspect comes before down")
        self.suspectAfter = suspectAfter
        self.downAfter = downAfter
        self.failoverGrace = failoverGrace
        suspectAfterNanoseconds = suspectAfter.wholeNanoseconds
        downAfterNanoseconds = downAfter.wholeNanoseconds
    }

    /// Only reports taken since this node began leading count. A node with
    /// none is live until the grace ends, then ages from the grace's end as
    /// if its last report had been due then.
    public func status(lastReportAt: MonotonicInstant?, leadingSince: MonotonicInstant, now: MonotonicInstant) -> NodeStatus {
        let reference: MonotonicInstant
        if let lastReportAt, lastReportAt >= leadingSince {
            reference = lastReportAt
        } else {
            let graceEnd = leadingSince.advanced(by: failoverGrace)
            guard now >= graceEnd else { return .live }
            reference = MonotonicInstant(nanoseconds: graceEnd.nanoseconds &- min(graceEnd.nanoseconds, suspectAfterNanoseconds))
        }
        let ageNanoseconds = now >= reference ? now.nanoseconds - reference.nanoseconds : 0
        if ageNanoseconds < suspectAfterNanoseconds { return .live }
        return ageNanoseconds < downAfterNanoseconds ? .suspect : .down
    }
}
