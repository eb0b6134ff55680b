import Primitives

/// An API user in the replicated state: name, role, password digest, and the
/// login-failure bookkeeping the lockout rule reads (Docs/ACCESS.md). Times are
/// the acting leader's wall clock, stamped into the commands that set them.
public struct UserRecord: Sendable, Equatable {
    public var name: String
    public var role: UserRole
    public var digest: PasswordDigest
    /// The Raft index of the command that last set this user's password (`bootstrapAdmin`,
    /// `addUser` or `setPassword`); `FleetState.apply` stamps it, ignoring what a command's record
    /// says. Tokens carry it and verify only while it is unchanged, so a password change, or
    /// deleting the user and adding the name again, signs the user out everywhere, whatever the
    /// coordinators' clocks say (Docs/ACCESS.md).
    public var credentialIndex: UInt64
    /// Failed logins in a row since the last success, lockout or unlock.
    public var failedLogins: UInt8
    /// Lockouts in a row: each one lasts twice the one before (`LockoutSchedule`).
    public var lockouts: UInt8
    /// Logins are refused before this time (0: not locked).
    public var lockedUntilMilliseconds: UInt64

    public init(name: String, role: UserRole, digest: PasswordDigest, credentialIndex: UInt64 = 0,
                failedLogins: UInt8 = 0, lockouts: UInt8 = 0, lockedUntilMilliseconds: UInt64 = 0) {
        self.name = name
        self.role = role
        self.digest = digest
        self.credentialIndex = credentialIndex
        self.failedLogins = failedLogins
        self.lockouts = lockouts
        self.lockedUntilMilliseconds = lockedUntilMilliseconds
    }
}
