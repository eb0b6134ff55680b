/// How long failed logins lock an account (Docs/ACCESS.md): after `failuresBeforeLock` failures
/// in a row, one minute, doubling with each lockout in a row, at most one hour. Pure, so every
/// replica applying a failure computes the same lock.
public enum LockoutSchedule {
    public static let failuresBeforeLock: UInt8 = 5
    public static let firstLockMilliseconds: UInt64 = 60_000
    public static let longestLockMilliseconds: UInt64 = 3_600_000

    /// The length of the `lockout`-th lockout in a row (1 the first): 60 s × 2^(lockout − 1),
    /// at most 3,600 s. Lockout 0 is treated as the first.
    public static func lockMilliseconds(lockout: UInt8) -> UInt64 {
        let doublings = UInt64(max(lockout, 1) - 1)
        // 60 s × 2^6 is past the cap, so no shift that could overflow is ever made.
        guard doublings < 6 else { return longestLockMilliseconds }
        return min(firstLockMilliseconds << doublings, longestLockMilliseconds)
    }
}
