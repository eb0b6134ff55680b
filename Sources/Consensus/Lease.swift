/// The leader lease arithmetic (dissertation §6.4.1; the argument is in Docs/CONSENSUS.md).
///
/// The leader stamps every append, heartbeat and snapshot with its tick count; followers echo
/// the stamp. The lease starts at the quorum-th largest acknowledged stamp (the leader's own
/// counts as "now") and lasts `durationTicks` of the leader's ticks.
///
/// A follower that heard from the leader refuses votes (and does not campaign) until T of its own
/// ticks have passed. Its first tick after hearing may come at once, so that guarantees only
/// T − 1 full tick intervals; at the fastest allowed follower rate (1 + d) that is
/// (T − 1)·P/(1 + d) of true time. The leader's `durationTicks` ticks last at most
/// durationTicks·P/(1 − d) at the slowest allowed leader rate (1 − d). Hence
/// durationTicks = ⌊(T − 1)·(100 − d)/(100 + d)⌋ with d in percent.
public enum Lease {
    /// A driver that resumes after a stall delivers the ticks it missed at once, but at most
    /// this many election timeouts of them: beyond that every lease and election timer has
    /// expired anyway. The coordinator and the simulator both bound their catch-up by it.
    public static let catchUpElectionTimeoutsMaximum = 4

    public static func durationTicks(electionTimeoutTicks: Int, clockDriftBoundPercent: Int) -> Int {
        precondition(electionTimeoutTicks >= 1 && (0..<100).contains(clockDriftBoundPercent))
        let numerator = (electionTimeoutTicks - 1) * (100 - clockDriftBoundPercent)
        let duration = numerator / (100 + clockDriftBoundPercent)
        assert(duration * (100 + clockDriftBoundPercent) <= (electionTimeoutTicks - 1) * (100 - clockDriftBoundPercent))
        return duration
    }

    /// Ticks left before the lease lapses: positive while `now` is before `start + duration`.
    static func remainingTicks(startTick: UInt64?, nowTick: UInt64, durationTicks: Int) -> UInt64 {
        guard let startTick else { return 0 }
        precondition(startTick <= nowTick, "a lease cannot start in the future")
        let endTick = startTick + UInt64(durationTicks)
        return endTick > nowTick ? endTick - nowTick : 0
    }
}
