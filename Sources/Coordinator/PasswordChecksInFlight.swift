import Fleet
import Locking

/// How many password checks of each user are in flight on this coordinator (Docs/ACCESS.md,
/// "Lockout"): a check takes a slot before it hashes and gives it back once its failure has
/// applied on this coordinator (or at once when it succeeded or could not be counted), and no
/// user has more slots than failures left before the lock, so guesses checked in parallel on
/// one coordinator cannot race past it. The bound is per coordinator: N coordinators check at
/// most N times as many at once. Entries are removed when their count returns to 0; the table
/// holds at most `entriesMaximum`.
final class PasswordChecksInFlight: Sendable {
    static let entriesMaximum = FleetState.usersMaximum

    private let counts = Locked<[String: Int]>([:])

    /// The slots a user with `failedLogins` failures in a row may have: the failures left
    /// before the lock, at least 1.
    static func slots(failedLogins: UInt8) -> Int {
        max(1, Int(LockoutSchedule.failuresBeforeLock) - Int(failedLogins))
    }

    /// Takes a slot of `name` unless it has `slots` already (or the table is full).
    func take(_ name: String, slots: Int) -> Bool {
        counts.withLock { counts in
            let current = counts[name] ?? 0
            guard current < slots, current > 0 || counts.count < Self.entriesMaximum else { return false }
            counts[name] = current + 1
            return true
        }
    }

    func release(_ name: String) {
        counts.withLock { counts in
            guard let current = counts[name] else { return assertionFailure("a slot of '\(name)' released twice") }
            counts[name] = current > 1 ? current - 1 : nil
        }
    }
}
