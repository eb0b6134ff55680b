import Fleet
import Primitives
import Testing

/// The users table: the first admin, adding, deleting (never the last admin), and password changes.
struct UserStateTests {
    typealias F = AccessFixtures

    @Test(arguments: [
        ("a", true), ("admin", true), ("ops.team_1-x", true), (String(repeating: "a", count: 32), true),
        ("", false), ("1admin", false), ("Admin", false), ("-a", false), (".a", false), ("a b", false), ("a/b", false),
        (String(repeating: "a", count: 33), false), ("ädmin", false), ("a\u{0}", false), ("a:b", false),
    ])
    func userNamesFollowTheirPattern(name: String, valid: Bool) {
        #expect(UserName.isValid(name) == valid)
    }

    @Test func theFirstAdminIsBootstrappedOnceWithTheFirstKey() {
        var state = FleetState()
        let admin = UserRecord(name: "admin", role: .admin, digest: F.digest(), credentialIndex: 5,
                               failedLogins: 3, lockouts: 2, lockedUntilMilliseconds: 9)
        #expect(state.apply(.bootstrapAdmin(admin, signingKey: F.key(1, createdAt: 5)), at: 1) == .adminBootstrapped(name: "admin"))
        #expect(state.users == ["admin": F.user("admin", .admin, credentialIndex: 1)], "stored with no failures or lock, at its index")
        #expect(state.signingKeys == [F.key(1, createdAt: 5)])
        let before = state
        let again = FleetCommand.bootstrapAdmin(F.user("other", .admin), signingKey: F.key(2, createdAt: 9))
        #expect(state.apply(again, at: 2) == .bootstrapSkipped)
        #expect(state.users == before.users && state.signingKeys == before.signingKeys)
    }

    @Test func aBootstrapIsSkippedOnceAnyUserOrKeyExists() {
        var withKey = FleetState()
        withKey.apply(.rotateSigningKey(F.key(1, createdAt: 1), overlapMilliseconds: 0), at: 1)
        #expect(withKey.apply(.bootstrapAdmin(F.user("admin", .admin), signingKey: F.key(2, createdAt: 2)), at: 2) == .bootstrapSkipped)
        #expect(withKey.users.isEmpty)
    }

    @Test(arguments: [
        (F.user("admin", .deployer), F.key(1, createdAt: 1), FleetOutcome.rejected(.bootstrapNotAdmin("admin"))),
        (F.user("Admin", .admin), F.key(1, createdAt: 1), .rejected(.invalidUserName("Admin"))),
        (UserRecord(name: "admin", role: .admin, digest: PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 3, salt: [1],
                                                                       hash: F.digest().hash), credentialIndex: 1),
         F.key(1, createdAt: 1), .rejected(.malformedPasswordDigest)),
        (F.user("admin", .admin), SigningKeyRecord(id: [1], secret: F.key(1, createdAt: 1).secret, createdAtMilliseconds: 1),
         .rejected(.malformedSigningKey)),
    ])
    func aMalformedBootstrapIsRefusedAndChangesNothing(user: UserRecord, key: SigningKeyRecord, expected: FleetOutcome) {
        var state = FleetState()
        #expect(state.apply(.bootstrapAdmin(user, signingKey: key), at: 1) == expected)
        #expect(state.users.isEmpty && state.signingKeys.isEmpty)
    }

    @Test func anAddedUserStartsWithNoFailuresOrLock() {
        var state = F.bootstrapped()
        let record = UserRecord(name: "dev", role: .deployer, digest: F.digest(2), credentialIndex: 7,
                                failedLogins: 4, lockouts: 9, lockedUntilMilliseconds: .max)
        #expect(state.applyNext(.addUser(record)) == .userAdded(name: "dev", role: .deployer))
        #expect(state.users["dev"] == UserRecord(name: "dev", role: .deployer, digest: F.digest(2), credentialIndex: 2))
    }

    @Test(arguments: [
        (F.user("admin"), FleetRejection.userExists("admin")),
        (F.user("Bad Name"), .invalidUserName("Bad Name")),
        (UserRecord(name: "weak", role: .viewer, digest: PasswordDigest(costLog2: 9, blockSize: 8, parallelism: 3,
                                                                       salt: F.digest().salt, hash: F.digest().hash),
                    credentialIndex: 1), .malformedPasswordDigest),
        (UserRecord(name: "short", role: .viewer, digest: PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 3,
                                                                        salt: F.digest().salt, hash: [1, 2]),
                    credentialIndex: 1), .malformedPasswordDigest),
    ])
    func anInvalidOrExistingUserIsRefused(user: UserRecord, rejection: FleetRejection) {
        var state = F.bootstrapped()
        let before = state.users
        #expect(state.applyNext(.addUser(user)) == .rejected(rejection))
        #expect(state.users == before)
    }

    @Test(arguments: [
        (PasswordDigest(costLog2: 10, blockSize: 1, parallelism: 1, salt: F.digest().salt, hash: F.digest().hash), true),
        (PasswordDigest(costLog2: 20, blockSize: 32, parallelism: 16, salt: F.digest().salt, hash: F.digest().hash), true),
        (PasswordDigest(costLog2: 21, blockSize: 8, parallelism: 3, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 15, blockSize: 0, parallelism: 3, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 15, blockSize: 33, parallelism: 3, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 0, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 17, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 3, salt: F.digest().salt + [0], hash: F.digest().hash), false),
        // scrypt needs N < 2^(16 r).
        (PasswordDigest(costLog2: 15, blockSize: 1, parallelism: 1, salt: F.digest().salt, hash: F.digest().hash), true),
        (PasswordDigest(costLog2: 16, blockSize: 1, parallelism: 1, salt: F.digest().salt, hash: F.digest().hash), false),
        (PasswordDigest(costLog2: 20, blockSize: 2, parallelism: 1, salt: F.digest().salt, hash: F.digest().hash), true),
    ])
    func digestParametersAreBounded(digest: PasswordDigest, wellFormed: Bool) {
        #expect(digest.isWellFormed == wellFormed)
    }

    @Test func theUsersTableStopsAtItsBound() {
        var state = F.bootstrapped()
        for index in 1..<FleetState.usersMaximum { state.applyNext(.addUser(F.user("u\(index)"))) }
        #expect(state.users.count == FleetState.usersMaximum)
        #expect(state.applyNext(.addUser(F.user("one-more"))) == .rejected(.tooManyUsers(maximum: FleetState.usersMaximum)))
        #expect(state.applyNext(.deleteUser(name: "u1")) == .userDeleted(name: "u1"))
        #expect(state.applyNext(.addUser(F.user("one-more"))) == .userAdded(name: "one-more", role: .viewer), "deleting makes room")
    }

    @Test func theLastAdminCannotBeDeleted() {
        var state = F.bootstrapped()
        state.applyNext(.addUser(F.user("viewer")))
        #expect(state.applyNext(.deleteUser(name: "admin")) == .rejected(.lastAdmin("admin")))
        state.applyNext(.addUser(F.user("second", .admin)))
        #expect(state.applyNext(.deleteUser(name: "admin")) == .userDeleted(name: "admin"), "another admin remains")
        #expect(state.applyNext(.deleteUser(name: "second")) == .rejected(.lastAdmin("second")))
        #expect(state.applyNext(.deleteUser(name: "viewer")) == .userDeleted(name: "viewer"), "a non-admin always may go")
        #expect(state.applyNext(.deleteUser(name: "ghost")) == .rejected(.unknownUser("ghost")))
        #expect(state.users.keys.sorted() == ["second"])
    }

    @Test func aPasswordChangeStampsItsIndexAndClearsTheLock() {
        var state = F.bootstrapped()
        for at in UInt64(10)...14 { state.applyNext(.recordLoginFailure(name: "admin", atMilliseconds: at)) }
        #expect(state.users["admin"]?.lockedUntilMilliseconds == 60_014)
        #expect(state.applyNext(.setPassword(name: "admin", digest: F.digest(9))) == .passwordChanged(name: "admin"))
        #expect(state.users["admin"] == UserRecord(name: "admin", role: .admin, digest: F.digest(9), credentialIndex: 7))
        #expect(state.applyNext(.setPassword(name: "ghost", digest: F.digest(9))) == .rejected(.unknownUser("ghost")))
        let malformed = PasswordDigest(costLog2: 15, blockSize: 8, parallelism: 3, salt: [], hash: [])
        #expect(state.applyNext(.setPassword(name: "admin", digest: malformed)) == .rejected(.malformedPasswordDigest))
        #expect(state.users["admin"]?.digest == F.digest(9) && state.users["admin"]?.credentialIndex == 7, "a refusal keeps both")
    }

    @Test func rejectionsNameTheRuleAndNeverADigest() {
        #expect(FleetRejection.lastAdmin("root").description == "user 'root' is the last admin; make another admin first")
        #expect(FleetRejection.invalidUserName("X").description == "user name 'X' must match [a-z][a-z0-9._-]{0,31}")
        #expect(FleetRejection.malformedPasswordDigest.description
            == "a password digest needs scrypt parameters N = 2^10...20 below 2^(16 r), r in 1...32, p in 1...16, "
                + "a 16-byte salt and a 32-byte hash")
        let user = UserRecord(name: "admin", role: .admin, digest: F.digest(0xCD), credentialIndex: 1)
        let command = FleetCommand.setPassword(name: "admin", digest: F.digest(0xCD))
        for text in ["\(command)", String(reflecting: command), "\(user)", String(reflecting: FleetCommand.addUser(user))] {
            #expect(!text.contains("205") && !text.contains("206"), "\(text)")
        }
    }
}
