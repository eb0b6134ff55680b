import Primitives

/// One member's replication as the answering coordinator sees it, for `GET /api/v1/cluster`
/// and `hotswap cluster status`: how far its log is behind the leader's and when this
/// coordinator last heard from it. Only a leader tracks every member's match index; a follower
/// hears from the leader alone, so it judges only the leader and itself.
public struct MemberReplication: Sendable, Equatable {
    /// The highest log index the leader knows the member holds; nil unless the view is a leader's.
    public var matchIndex: UInt64?
    /// Entries the member is behind the leader's last index; nil when the view cannot tell.
    public var lag: UInt64?
    /// Milliseconds since this coordinator last heard from the member; nil: never (0 for itself).
    public var lastContactMilliseconds: Int64?
    public var health: MemberHealth

    /// Judges a member at `now`. `lastHeard` is when the viewer last received a Raft message
    /// from it; `silenceLimit` (an election timeout) is how long a member that answers every
    /// heartbeat is never silent; a member more than `lagLimit` entries behind is lagging.
    public init(isSelf: Bool, isLeader: Bool, viewerIsLeader: Bool, leaderLastIndex: UInt64, matchIndex: UInt64?,
                lastHeard: MonotonicInstant?, now: MonotonicInstant, silenceLimit: Duration,
                lagLimit: UInt64 = MemberReplication.lagLimitDefault) {
        self.matchIndex = viewerIsLeader ? (isSelf ? leaderLastIndex : matchIndex) : nil
        lag = self.matchIndex.map { leaderLastIndex > $0 ? leaderLastIndex - $0 : 0 }
        lastContactMilliseconds = isSelf ? 0 : lastHeard.map { max(0, $0.duration(until: now).wholeMilliseconds) }
        health = MemberHealth.classify(isSelf: isSelf, isJudged: viewerIsLeader || isLeader,
                                       silentFor: lastHeard.map { $0.duration(until: now) }, silenceLimit: silenceLimit,
                                       lag: lag, lagLimit: lagLimit)
    }

    /// A follower that is this far behind is still catching up, not keeping pace: more than a
    /// few heartbeats' worth of pipelined appends even under a heavy write load.
    public static let lagLimitDefault: UInt64 = 1_000
}

/// How a member looks from the answering coordinator.
public enum MemberHealth: String, Sendable, Equatable, CaseIterable {
    /// Heard from within the silence limit and not lagging.
    case healthy
    /// Heard from, but more than the lag limit behind the leader's log.
    case lagging
    /// Never heard from, or silent for longer than an election timeout (down, frozen, cut off).
    case unreachable
    /// This coordinator cannot tell: a follower hears from no member but the leader.
    case unknown

    /// The rule, in order: the viewer itself is healthy; a member the viewer does not judge is
    /// unknown; silence beyond the limit (or never heard) is unreachable; lag beyond the limit
    /// is lagging; anything else is healthy.
    public static func classify(isSelf: Bool, isJudged: Bool, silentFor: Duration?, silenceLimit: Duration, lag: UInt64?,
                                lagLimit: UInt64) -> MemberHealth {
        if isSelf { return .healthy }
        guard isJudged else { return .unknown }
        guard let silentFor, silentFor <= silenceLimit else { return .unreachable }
        if let lag, lag > lagLimit { return .lagging }
        return .healthy
    }
}
