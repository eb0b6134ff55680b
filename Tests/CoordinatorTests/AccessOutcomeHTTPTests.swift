@testable import Coordinator
import Cluster
import Fleet
import Testing

/// How the outcomes of user, login and signing-key commands render: never a digest or a secret;
/// conflicts 409, an unknown user 404, a malformed record 422 like every other record the state refuses.
@Suite struct AccessOutcomeHTTPTests {
    typealias Row = ClusterOutcomeHTTPTests.Row

    static let rows: [Row] = [
        .json(.applied(.adminBootstrapped(name: "admin")), 201, "{\"bootstrapped\":\"admin\"}"),
        .json(.applied(.bootstrapSkipped), 200, "{\"bootstrapped\":null}"),
        .json(.applied(.userAdded(name: "dev", role: .deployer)), 201, "{\"name\":\"dev\",\"role\":\"deployer\"}"),
        .json(.applied(.userDeleted(name: "dev")), 200, "{\"deleted\":\"dev\",\"clientCertificates\":"
              + "\"client certificates naming dev are not revoked by this: one still valid would act as a user added again as dev; "
              + "revoke them with POST /api/v1/nodes/dev/revoke (hotswap nodes revoke dev)\"}"),
        .json(.applied(.passwordChanged(name: "dev")), 200, "{\"passwordChanged\":\"dev\"}"),
        .json(.applied(.loginFailureRecorded(name: "dev", failedLogins: 0, lockedUntilMilliseconds: 61_000)), 200,
              "{\"user\":\"dev\",\"failedLogins\":0,\"lockedUntilMilliseconds\":61000}"),
        .failed(.applied(.accountLocked(name: "dev", untilMilliseconds: 61_000)), 401, "account_locked",
                "user 'dev' is locked until 61000 ms after the epoch"),
        .failed(.applied(.loginSuccessWhileLocked(name: "dev", untilMilliseconds: 61_000)), 401, "account_locked",
                "user 'dev' is locked until 61000 ms after the epoch"),
        .json(.applied(.loginSuccessRecorded(name: "dev")), 200, "{\"user\":\"dev\"}"),
        .json(.applied(.userUnlocked(name: "dev")), 200, "{\"unlocked\":\"dev\"}"),
        .json(.applied(.signingKeyRotated(idHex: "0011223344556677")), 200, "{\"kid\":\"0011223344556677\"}"),
        .failed(.applied(.rejected(.invalidUserName("Dev"))), 422, "invalid_user", "user name 'Dev' must match [a-z][a-z0-9._-]{0,31}"),
        .failed(.applied(.rejected(.bootstrapNotAdmin("admin"))), 422, "invalid_user", "the first user ('admin') must be an admin"),
        .failed(.applied(.rejected(.userExists("dev"))), 409, "user_exists", "user 'dev' already exists"),
        .failed(.applied(.rejected(.unknownUser("ghost"))), 404, "not_found", "user 'ghost' does not exist"),
        .failed(.applied(.rejected(.tooManyUsers(maximum: 1_024))), 409, "limit_reached",
                "at most 1024 users may exist; delete one that is no longer needed"),
        .failed(.applied(.rejected(.lastAdmin("admin"))), 409, "last_admin", "user 'admin' is the last admin; make another admin first"),
        .failed(.applied(.rejected(.malformedPasswordDigest)), 422, "invalid_password_digest",
                "a password digest needs scrypt parameters N = 2^10...20 below 2^(16 r), r in 1...32, p in 1...16, "
                    + "a 16-byte salt and a 32-byte hash"),
        .failed(.applied(.rejected(.malformedSigningKey)), 422, "invalid_signing_key",
                "a signing key needs an id of 8 bytes and a secret of 32 bytes"),
        .failed(.applied(.rejected(.signingKeyExists("0011223344556677"))), 409, "signing_key_exists",
                "signing key 0011223344556677 is already in the key ring"),
        .failed(.applied(.rejected(.invalidKeyOverlap(milliseconds: 86_400_001))), 422, "invalid_overlap",
                "a key overlap of 86400001 ms is over the limit of 86400000 ms (24 h)"),
    ]

    @Test(arguments: rows)
    func everyAccessOutcomeRendersItsStatusCodeAndMessage(row: Row) {
        let reply = HTTPReply(row.outcome)
        #expect(reply.status == row.status)
        #expect(String(decoding: reply.body, as: UTF8.self) == row.body)
        #expect(reply.retryAfterSeconds == row.retryAfterSeconds)
    }
}

/// What a login answers once its success was recorded (`AuthRoutes.refusal(recordingSuccessOf:)`):
/// a token only when the success applied; a lock that committed after the check read the record
/// (the success answered `loginSuccessWhileLocked`) is 401 `account_locked` with Retry-After and the challenge.
struct LoginSuccessRecordedTests {
    @Test func aSuccessThatAppliedIssuesAToken() {
        #expect(AuthRoutes.refusal(recordingSuccessOf: "dev", .applied(.loginSuccessRecorded(name: "dev")), nowMilliseconds: 0) == nil)
    }

    @Test func aSuccessThatMetALockIsRefusedAccountLocked() throws {
        let locked = ClusterOutcome.applied(.loginSuccessWhileLocked(name: "dev", untilMilliseconds: 61_000))
        let reply = try #require(AuthRoutes.refusal(recordingSuccessOf: "dev", locked, nowMilliseconds: 1_000))
        #expect(reply.status == 401)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("\"account_locked\""))
        #expect(reply.retryAfterSeconds == 60)
        #expect(reply.headers["WWW-Authenticate"] == APIGuard.challenge)
    }

    @Test(arguments: [ClusterOutcome.applied(.rejected(.unknownUser("dev"))), .refused(.noLeader("none"))])
    func aSuccessNotRecordedIsRefusedNotRecorded(outcome: ClusterOutcome) throws {
        let reply = try #require(AuthRoutes.refusal(recordingSuccessOf: "dev", outcome, nowMilliseconds: 0))
        #expect(reply.status == 503)
        #expect(String(decoding: reply.body, as: UTF8.self).contains("\"not_recorded\""))
    }
}
