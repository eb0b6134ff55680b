import Access
import Fleet
import Testing

/// Revocation follows the replicated state, not clocks: a token carries the credential generation
/// (`UserRecord.credentialIndex`, the Raft index of the command that set the password) of the
/// record whose password the login checked, and verifies only while the user still has it.
struct CredentialGenerationTests {
    typealias F = TokenFixtures

    static let digest = F.user("x", role: .viewer).digest

    /// `admin` bootstrapped at index 1 and `alice` added at index 2.
    static func state() -> FleetState {
        var state = FleetState()
        state.apply(.bootstrapAdmin(UserRecord(name: "admin", role: .admin, digest: digest), signingKey: F.key), at: 1)
        state.apply(.addUser(UserRecord(name: "alice", role: .deployer, digest: digest, credentialIndex: 99)), at: 2)
        return state
    }

    static func token(for name: String, in state: FleetState) throws -> String {
        let record = try #require(state.users[name])
        return try TokenSigner.sign(try TokenClaims.issued(for: record, nowMilliseconds: F.nowMilliseconds - 1_000),
                                    with: F.key, hmac: F.hmac)
    }

    static func code(_ token: String, in state: FleetState) -> String {
        F.code(TokenVerifier.verify(token, keys: state.signingKeys, hmac: F.hmac, nowMilliseconds: F.nowMilliseconds) {
            state.users[$0]
        })
    }

    @Test func theGenerationIsTheIndexOfTheCommandThatSetThePassword() {
        var state = Self.state()
        #expect(state.users["admin"]?.credentialIndex == 1)
        #expect(state.users["alice"]?.credentialIndex == 2, "the record's own value is ignored")
        state.apply(.recordLoginFailure(name: "alice", atMilliseconds: 5), at: 3)
        state.apply(.unlockUser(name: "alice"), at: 4)
        state.apply(.recordLoginSuccess(name: "alice"), at: 5)
        #expect(state.users["alice"]?.credentialIndex == 2, "logins and unlocks keep it")
        state.apply(.setPassword(name: "alice", digest: Self.digest), at: 6)
        #expect(state.users["alice"]?.credentialIndex == 6)
    }

    @Test func aTokenFromBeforeAPasswordChangeIsRefused() throws {
        var state = Self.state()
        let before = try Self.token(for: "alice", in: state)
        #expect(Self.code(before, in: state) == "ok")
        // A lagging replica still holding the old record would issue this same generation.
        let lagging = state
        state.apply(.setPassword(name: "alice", digest: Self.digest), at: 3)
        #expect(Self.code(before, in: state) == "token_revoked")
        #expect(Self.code(try Self.token(for: "alice", in: lagging), in: state) == "token_revoked")
        #expect(Self.code(try Self.token(for: "alice", in: state), in: state) == "ok")
    }

    @Test func deletingAndAddingTheNameAgainRevokesItsTokens() throws {
        var state = Self.state()
        let before = try Self.token(for: "alice", in: state)
        state.apply(.deleteUser(name: "alice"), at: 3)
        #expect(Self.code(before, in: state) == "unknown_user")
        // The same record, generation and all, added again: the new index is what counts.
        state.apply(.addUser(UserRecord(name: "alice", role: .deployer, digest: Self.digest, credentialIndex: 2)), at: 4)
        #expect(Self.code(before, in: state) == "token_revoked")
        #expect(Self.code(try Self.token(for: "alice", in: state), in: state) == "ok")
    }
}
