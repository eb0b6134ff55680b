import Fleet
import Testing

/// When the leader may drop audit records past their retention (`AuditTrail.retentionCut`): its
/// clock less the retention, never later than the newest record's time less the retention (so a
/// clock far ahead cannot erase the trail), and only when a share's first record is before the cut.
struct AuditRetentionCutTests {
    static let day: UInt64 = 86_400_000

    /// A state whose trail holds the records `(index, time, isLogin)`.
    static func state(_ records: [(UInt64, UInt64, Bool)]) -> FleetState {
        var state = FleetState()
        for (index, at, isLogin) in records {
            let context = AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: at)
            state.apply(.audited(context, isLogin ? .recordUnknownLogin : .unlockUser(name: "b")), at: index)
        }
        return state
    }

    static func trail(_ records: [(UInt64, UInt64, Bool)]) -> AuditTrail { state(records).audit }

    @Test func aCompactionIsDueOnlyOnceAFirstRecordIsPastTheRetention() {
        let now = 100 * Self.day
        let cut = { (trail: AuditTrail, at: UInt64) in trail.retentionCut(nowMilliseconds: at, retentionMilliseconds: Self.day) }
        #expect(cut(AuditTrail(), now) == AuditTrail.RetentionCut(beforeMilliseconds: nil, isClockAhead: false))
        let fresh = Self.trail([(1, now - Self.day, false), (2, now, false)])
        #expect(cut(fresh, now).beforeMilliseconds == nil)
        let old = Self.trail([(1, now - Self.day - 1, false), (2, now, false)])
        #expect(cut(old, now) == AuditTrail.RetentionCut(beforeMilliseconds: now - Self.day, isClockAhead: false))
        #expect(cut(Self.trail([(1, 0, false)]), Self.day).beforeMilliseconds == nil, "a clock before the retention")
    }

    @Test func eachSharesFirstRecordIsLookedAt() {
        let now = 100 * Self.day
        // The writes' first record is recent; the logins' first is old (its share filled and dropped).
        let trail = Self.trail([(1, now - 1_000, false), (2, now - 2 * Self.day, true), (3, now, true)])
        #expect(trail.retentionCut(nowMilliseconds: now, retentionMilliseconds: Self.day).beforeMilliseconds == now - Self.day)
    }

    @Test func aClockFarAheadCutsNoLaterThanTheNewestRecordLessTheRetention() {
        let now = 100 * Self.day
        var state = Self.state([(1, now - 3 * Self.day, false), (2, now - 2 * Self.day, true), (3, now, false)])
        let yearsAhead = now + 3_650 * Self.day
        #expect(state.audit.retentionCut(nowMilliseconds: yearsAhead, retentionMilliseconds: Self.day)
                == AuditTrail.RetentionCut(beforeMilliseconds: now - Self.day, isClockAhead: true))
        state.apply(.compactAudit(beforeMilliseconds: now - Self.day), at: 4)
        #expect(state.audit.records.map(\.index) == [3], "the newest record's retention is kept")
        let idle = Self.trail([(1, now - 3 * Self.day, false)])
        #expect(idle.retentionCut(nowMilliseconds: now, retentionMilliseconds: Self.day)
                == AuditTrail.RetentionCut(beforeMilliseconds: nil, isClockAhead: true),
                "nothing is older than the newest record less the retention")
    }

    @Test func aClockJustAheadOfTheNewestRecordIsNotFlagged() {
        let now = 100 * Self.day
        let trail = Self.trail([(1, now - 2 * Self.day, false), (2, now - Self.day / 2, false)])
        #expect(trail.retentionCut(nowMilliseconds: now, retentionMilliseconds: Self.day)
                == AuditTrail.RetentionCut(beforeMilliseconds: now - Self.day - Self.day / 2, isClockAhead: false))
    }
}
