/// When the leader drops audit records past their retention (Docs/AUDIT.md, "Bounds and
/// retention"), decided from the trail and the leader's wall clock, so no replica needs a clock.
extension AuditTrail {
    /// A compaction the leader may propose: its cut-off, and whether the leader's clock alone would
    /// have cut later than every record (`isClockAhead`: a clock jumped ahead, or a trail idle for
    /// longer than the retention).
    public struct RetentionCut: Sendable, Equatable {
        public var beforeMilliseconds: UInt64?
        public var isClockAhead: Bool

        public init(beforeMilliseconds: UInt64?, isClockAhead: Bool) {
            self.beforeMilliseconds = beforeMilliseconds
            self.isClockAhead = isClockAhead
        }
    }

    /// The cut-off at wall clock `nowMilliseconds` keeping `retentionMilliseconds`: the clock less
    /// the retention, but never later than the newest record's time less the retention, so a
    /// leader whose clock runs far ahead cannot erase the trail. `beforeMilliseconds` is nil when
    /// no share's first record is before the cut-off (nothing is due).
    public func retentionCut(nowMilliseconds: UInt64, retentionMilliseconds: UInt64) -> RetentionCut {
        guard let newest, nowMilliseconds > retentionMilliseconds else {
            return RetentionCut(beforeMilliseconds: nil, isClockAhead: false)
        }
        let byClock = nowMilliseconds - retentionMilliseconds
        let isClockAhead = byClock > newest.atMilliseconds
        guard newest.atMilliseconds > retentionMilliseconds else {
            return RetentionCut(beforeMilliseconds: nil, isClockAhead: isClockAhead)
        }
        let cutOff = min(byClock, newest.atMilliseconds - retentionMilliseconds)
        let isDue = shareFirsts.contains { $0.atMilliseconds < cutOff }
        return RetentionCut(beforeMilliseconds: isDue ? cutOff : nil, isClockAhead: isClockAhead)
    }
}
