import Primitives

/// An API user in the replicated state: name, role, password digest, and the
/// login-failure bookkeeping the lockout rule reads (Docs/ACCESS.md). Times are
/// the acting leader's wall clock, stamped into the commands that set them.
public struct UserRecord: Sendable, Equatable {
    public var name: String
    public var role: UserRole
    public var digest: PasswordDigest
    /// Tokens issued before this are refused (a password change signs the user out everywhere).
    public var passwordChangedAtMilliseconds: UInt64
    /// Failed logins in a row since the last success, lockout or unlock.
    public var failedLogins: UInt8
    /// Lockouts in a row: each one lasts twice the one before (`LockoutSchedule`).
    public var lockouts: UInt8
    /// Logins are refused before this time (0: not locked).
    public var lockedUntilMilliseconds: UInt64

    public init(name: String, role: UserRole, digest: PasswordDigest, passwordChangedAtMilliseconds: UInt64,
                failedLogins: UInt8 = 0, lockouts: UInt8 = 0, lockedUntilMilliseconds: UInt64 = 0) {
        self.name = name
        self.role = role
        self.digest = digest
        self.passwordChangedAtMilliseconds = passwordChangedAtMilliseconds
        self.failedLogins = failedLogins
        self.lockouts = lockouts
        self.lockedUntilMilliseconds = lockedUntilMilliseconds
    }
}
