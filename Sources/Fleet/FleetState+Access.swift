/// What the user, login and signing-key commands do to the state (Docs/ACCESS.md). Times come
/// from the commands (the leader's wall clock), never from the replica applying them, and all
/// arithmetic saturates, so every replica reaches the same state and none traps.
extension FleetState {
    /// Stores the first admin and the first signing key if the cluster has neither users nor
    /// keys; otherwise changes nothing (a founding secret given again is ignored).
    mutating func bootstrapAdmin(_ user: UserRecord, signingKey key: SigningKeyRecord) -> FleetOutcome {
        guard users.isEmpty, signingKeys.isEmpty else { return .bootstrapSkipped }
        if let rejection = Self.rejection(of: user) { return .rejected(rejection) }
        guard user.role == .admin else { return .rejected(.bootstrapNotAdmin(user.name)) }
        guard key.isWellFormed else { return .rejected(.malformedSigningKey) }
        users[user.name] = withNewCredential(user)
        signingKeys = [Self.signer(key)]
        return .adminBootstrapped(name: user.name)
    }

    mutating func addUser(_ user: UserRecord) -> FleetOutcome {
        guard UserName.isValid(user.name) else { return .rejected(.invalidUserName(user.name)) }
        guard users[user.name] == nil else { return .rejected(.userExists(user.name)) }
        guard users.count < Self.usersMaximum else { return .rejected(.tooManyUsers(maximum: Self.usersMaximum)) }
        guard user.digest.isWellFormed else { return .rejected(.malformedPasswordDigest) }
        users[user.name] = withNewCredential(user)
        return .userAdded(name: user.name, role: user.role)
    }

    mutating func deleteUser(_ name: String) -> FleetOutcome {
        guard let user = users[name] else { return .rejected(.unknownUser(name)) }
        if user.role == .admin, !users.values.contains(where: { $0.role == .admin && $0.name != name }) {
            return .rejected(.lastAdmin(name))
        }
        users[name] = nil
        return .userDeleted(name: name)
    }

    mutating func setPassword(_ name: String, digest: PasswordDigest) -> FleetOutcome {
        guard var user = users[name] else { return .rejected(.unknownUser(name)) }
        guard digest.isWellFormed else { return .rejected(.malformedPasswordDigest) }
        user.digest = digest
        users[name] = withNewCredential(user)
        return .passwordChanged(name: name)
    }

    /// Counts a failure; the `LockoutSchedule.failuresBeforeLock`-th in a row locks the account
    /// for the next lockout's length. A failure while the account is locked at `atMilliseconds`
    /// (a guess checked in parallel, before the lock applied) counts as a lockout of its own: it
    /// raises `lockouts` and extends the lock to `atMilliseconds` plus that lockout's length if
    /// that is later, so guesses racing the lock only lengthen it.
    mutating func recordLoginFailure(_ name: String, atMilliseconds: UInt64) -> FleetOutcome {
        guard var user = users[name] else { return .rejected(.unknownUser(name)) }
        guard user.lockedUntilMilliseconds <= atMilliseconds else {
            user.lockouts = Self.incremented(user.lockouts)
            let extended = Self.sum(atMilliseconds, LockoutSchedule.lockMilliseconds(lockout: user.lockouts))
            user.lockedUntilMilliseconds = max(user.lockedUntilMilliseconds, extended)
            users[name] = user
            return .accountLocked(name: name, untilMilliseconds: user.lockedUntilMilliseconds)
        }
        user.failedLogins = Self.incremented(user.failedLogins)
        var lockedUntil: UInt64 = 0
        if user.failedLogins >= LockoutSchedule.failuresBeforeLock {
            user.lockouts = Self.incremented(user.lockouts)
            lockedUntil = Self.sum(atMilliseconds, LockoutSchedule.lockMilliseconds(lockout: user.lockouts))
            user.lockedUntilMilliseconds = lockedUntil
            user.failedLogins = 0
        }
        users[name] = user
        return .loginFailureRecorded(name: name, failedLogins: user.failedLogins, lockedUntilMilliseconds: lockedUntil)
    }

    /// Clears the failure count and the lockouts. With the login's time (an audited success): while
    /// the account is locked at `atMilliseconds` it changes nothing and answers `loginSuccessWhileLocked`,
    /// so a lock that committed after the check read the record still refuses the token.
    mutating func recordLoginSuccess(_ name: String, atMilliseconds: UInt64?) -> FleetOutcome {
        guard let user = users[name] else { return .rejected(.unknownUser(name)) }
        if let atMilliseconds, user.lockedUntilMilliseconds > atMilliseconds {
            return .loginSuccessWhileLocked(name: name, untilMilliseconds: user.lockedUntilMilliseconds)
        }
        users[name]?.failedLogins = 0
        users[name]?.lockouts = 0
        return .loginSuccessRecorded(name: name)
    }

    mutating func unlockUser(_ name: String) -> FleetOutcome {
        guard let user = users[name] else { return .rejected(.unknownUser(name)) }
        users[name] = Self.fresh(user)
        return .userUnlocked(name: name)
    }

    /// Makes `key` the signer. The previous signer verifies until the new key's creation time
    /// plus `overlapMilliseconds` (0 retires it at once); keys retired by the new key's creation
    /// time are dropped, and beyond `signingKeysMaximum` the oldest.
    mutating func rotateSigningKey(_ key: SigningKeyRecord, overlapMilliseconds: UInt64) -> FleetOutcome {
        guard overlapMilliseconds <= Self.signingKeyOverlapMaximumMilliseconds else {
            return .rejected(.invalidKeyOverlap(milliseconds: overlapMilliseconds))
        }
        guard key.isWellFormed else { return .rejected(.malformedSigningKey) }
        guard !signingKeys.contains(where: { $0.id == key.id }) else { return .rejected(.signingKeyExists(key.idHex)) }
        var ring = signingKeys
        if let previous = ring.first {
            let retiresAt = Self.sum(key.createdAtMilliseconds, overlapMilliseconds)
            ring[0].retiresAtMilliseconds = min(previous.retiresAtMilliseconds ?? .max, retiresAt)
        }
        ring.removeAll { ($0.retiresAtMilliseconds ?? .max) <= key.createdAtMilliseconds }
        signingKeys = Array(([Self.signer(key)] + ring).prefix(Self.signingKeysMaximum))
        return .signingKeyRotated(idHex: key.idHex)
    }

    /// Why a bootstrap's user may not be stored, or nil when it may.
    private static func rejection(of user: UserRecord) -> FleetRejection? {
        guard UserName.isValid(user.name) else { return .invalidUserName(user.name) }
        return user.digest.isWellFormed ? nil : .malformedPasswordDigest
    }

    /// The record with no failures, lockouts or lock.
    private static func fresh(_ user: UserRecord) -> UserRecord {
        var user = user
        user.failedLogins = 0
        user.lockouts = 0
        user.lockedUntilMilliseconds = 0
        return user
    }

    /// The record as stored by the command being applied: fresh, and its credential generation
    /// is this command's index (`appliedIndex`, set before the command is decided).
    private func withNewCredential(_ user: UserRecord) -> UserRecord {
        var user = Self.fresh(user)
        user.credentialIndex = appliedIndex
        return user
    }

    /// The signer never has an end: it retires when the next key replaces it.
    private static func signer(_ key: SigningKeyRecord) -> SigningKeyRecord {
        var key = key
        key.retiresAtMilliseconds = nil
        return key
    }

    private static func incremented(_ count: UInt8) -> UInt8 {
        count == .max ? .max : count + 1
    }

    private static func sum(_ time: UInt64, _ length: UInt64) -> UInt64 {
        let (sum, overflow) = time.addingReportingOverflow(length)
        return overflow ? .max : sum
    }
}
