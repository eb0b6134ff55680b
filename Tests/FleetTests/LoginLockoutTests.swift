import Fleet
import Testing

/// Failed logins and the lock they set: five in a row lock the account for a minute, doubling
/// with each lockout in a row up to an hour; a failure while locked (a guess racing the lock)
/// counts as a lockout and can only lengthen the lock; a success or an unlock starts again.
/// Every time comes from the command, so replicas agree.
struct LoginLockoutTests {
    typealias F = AccessFixtures

    @Test(arguments: [
        (UInt8(0), UInt64(60_000)), (1, 60_000), (2, 120_000), (3, 240_000), (4, 480_000), (5, 960_000), (6, 1_920_000),
        (7, 3_600_000), (8, 3_600_000), (64, 3_600_000), (65, 3_600_000), (255, 3_600_000),
    ])
    func eachLockoutInARowLastsTwiceTheOneBeforeUpToAnHour(lockout: UInt8, milliseconds: UInt64) {
        #expect(LockoutSchedule.lockMilliseconds(lockout: lockout) == milliseconds)
    }

    @Test func everyLockoutCountHasALengthWithinTheBounds() {
        for lockout in UInt8.min...UInt8.max {
            let length = LockoutSchedule.lockMilliseconds(lockout: lockout)
            #expect(length >= LockoutSchedule.firstLockMilliseconds && length <= LockoutSchedule.longestLockMilliseconds)
        }
    }

    /// Fails `count` logins for `admin`, one millisecond apart from `start`; returns the last outcome.
    @discardableResult
    static func fail(_ state: inout FleetState, _ count: Int, from start: UInt64) -> FleetOutcome? {
        var outcome: FleetOutcome?
        for offset in 0..<UInt64(count) {
            outcome = state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: start + offset))
        }
        return outcome
    }

    /// Locks `admin` `times` times in a row, each lockout's failures starting when the lock before
    /// ends; returns when the last lock ends.
    static func lock(_ state: inout FleetState, times: Int, from start: UInt64) -> UInt64 {
        var now = start
        for _ in 0..<times {
            fail(&state, 5, from: now)
            now = state.users["admin"]?.lockedUntilMilliseconds ?? 0
        }
        return now
    }

    @Test func fiveFailuresLockForAMinuteAndTheNextLockoutForTwo() {
        var state = F.bootstrapped()
        #expect(Self.fail(&state, 4, from: 1_000)
            == .loginFailureRecorded(name: "admin", failedLogins: 4, lockedUntilMilliseconds: 0))
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: 1_004))
            == .loginFailureRecorded(name: "admin", failedLogins: 0, lockedUntilMilliseconds: 61_004))
        #expect(state.users["admin"]?.lockouts == 1)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == 61_004)
        Self.fail(&state, 5, from: 61_004)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == 61_008 + 120_000, "the second lockout in a row lasts twice as long")
        #expect(state.users["admin"]?.lockouts == 2)
    }

    @Test func aFailureWhileLockedCountsAsALockoutAndLengthensTheLock() {
        var state = F.bootstrapped()
        Self.fail(&state, 5, from: 1_000)
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: 1_005))
            == .accountLocked(name: "admin", untilMilliseconds: 1_005 + 120_000))
        #expect(state.users["admin"]?.lockouts == 2 && state.users["admin"]?.failedLogins == 0)
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: 1_006))
            == .accountLocked(name: "admin", untilMilliseconds: 1_006 + 240_000), "each racing guess doubles the next lock")
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: 241_006))
            == .loginFailureRecorded(name: "admin", failedLogins: 1, lockedUntilMilliseconds: 0), "the lock ends at its time")
        Self.fail(&state, 4, from: 241_007)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == 241_010 + 480_000, "the next lockout continues the doubling")
    }

    @Test func aFailureWhileLockedNeverShortensTheLock() {
        var state = F.bootstrapped()
        let lockedUntil = Self.lock(&state, times: 8, from: 10_000_000)
        // A failure stamped by a leader whose clock is ten minutes behind, while the hour-long lock holds.
        let behind = lockedUntil - 3_600_000 - 600_000
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: behind))
            == .accountLocked(name: "admin", untilMilliseconds: lockedUntil))
        #expect(state.users["admin"]?.lockouts == 9)
    }

    @Test func theLockStopsGrowingAtAnHour() {
        var state = F.bootstrapped()
        let start = Self.lock(&state, times: 12, from: 0)
        #expect(state.users["admin"]?.lockouts == 12)
        Self.fail(&state, 5, from: start)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == start + 4 + 3_600_000)
    }

    @Test func countsSaturateAndALockNearTheEndOfTimeStopsThere() {
        var state = F.bootstrapped()
        for round in 0..<300 { Self.fail(&state, 5, from: UInt64(round) * 10_000_000) }
        #expect(state.users["admin"]?.lockouts == .max)
        Self.fail(&state, 5, from: .max - 4)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == .max, "at + lock saturates instead of trapping")
    }

    @Test func aSuccessResetsTheCountAndTheDoubling() {
        var state = F.bootstrapped()
        Self.fail(&state, 5, from: 1_000)
        Self.fail(&state, 3, from: 70_000)
        #expect(state.applyNext(.recordLoginSuccess(name: "admin")) == .loginSuccessRecorded(name: "admin"))
        #expect(state.users["admin"]?.failedLogins == 0 && state.users["admin"]?.lockouts == 0)
        Self.fail(&state, 5, from: 80_000)
        #expect(state.users["admin"]?.lockedUntilMilliseconds == 80_004 + 60_000, "a lockout after a success is a first one again")
        #expect(state.applyNext(.recordLoginSuccess(name: "ghost")) == .rejected(.unknownUser("ghost")))
    }

    @Test func aSuccessWithoutFailuresIsAcceptedAndChangesNothing() {
        var state = F.bootstrapped()
        let before = state.users["admin"]
        #expect(state.applyNext(.recordLoginSuccess(name: "admin")) == .loginSuccessRecorded(name: "admin"))
        #expect(state.users["admin"] == before, "every login records its success, most with nothing to clear")
    }

    @Test func anAuditedSuccessWhileLockedAtItsTimeChangesNothingAndSaysLocked() {
        // A lock that committed after the check re-read the record: the success must not issue a token.
        var state = F.bootstrapped()
        Self.fail(&state, 5, from: 1_000)
        let lockedUntil: UInt64 = 1_004 + 60_000
        let locked = state.users["admin"]
        let during = AuditContext(user: "admin", role: .admin, source: "::1", atMilliseconds: lockedUntil - 1)
        #expect(state.applyNext(.audited(during, .recordLoginSuccess(name: "admin")))
            == .loginSuccessWhileLocked(name: "admin", untilMilliseconds: lockedUntil))
        #expect(state.users["admin"] == locked, "the lockouts are not reset while locked")
        #expect(state.audit.records.last?.outcome == "locked")
        let after = AuditContext(user: "admin", role: .admin, source: "::1", atMilliseconds: lockedUntil)
        #expect(state.applyNext(.audited(after, .recordLoginSuccess(name: "admin"))) == .loginSuccessRecorded(name: "admin"))
        #expect(state.users["admin"]?.lockouts == 0)
        #expect(state.audit.records.last?.outcome == "success")
    }

    @Test func anUnauditedSuccessAsEncodingVersion5WroteItStillClearsTheCount() {
        // Entries written before version 6 replay as they applied then: no time, no lock check.
        var state = F.bootstrapped()
        Self.fail(&state, 5, from: 1_000)
        #expect(state.applyNext(.recordLoginSuccess(name: "admin")) == .loginSuccessRecorded(name: "admin"))
        #expect(state.users["admin"]?.lockouts == 0)
    }

    @Test func anUnlockLiftsTheLockAndResetsEverything() {
        var state = F.bootstrapped()
        Self.fail(&state, 5, from: 1_000)
        Self.fail(&state, 2, from: 62_000)
        #expect(state.applyNext(.unlockUser(name: "admin")) == .userUnlocked(name: "admin"))
        #expect(state.users["admin"] == F.user("admin", .admin, credentialIndex: 1))
        #expect(state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: 2_000))
            == .loginFailureRecorded(name: "admin", failedLogins: 1, lockedUntilMilliseconds: 0), "no longer locked")
        #expect(state.applyNext(.unlockUser(name: "ghost")) == .rejected(.unknownUser("ghost")))
    }

    @Test func anUnknownUsersFailureIsRefusedAndNotCounted() {
        var state = F.bootstrapped()
        let before = state.users
        #expect(state.applyNext(.recordLoginFailure(name: "ghost", atMilliseconds: 5)) == .rejected(.unknownUser("ghost")))
        #expect(state.users == before)
    }
}
