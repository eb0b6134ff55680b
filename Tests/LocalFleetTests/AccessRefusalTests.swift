import LocalFleet
import Testing

/// The one line the CLI shows for each answer that refuses the caller, and the exit status it
/// ends with (3 for 401 and 403, 1 for a rate limit).
struct AccessRefusalTests {
    static func refusal(_ status: Int, _ code: String?, message: String? = nil, retryAfter: Int? = nil,
                        source: APICredential.Source = .storedLogin("/home/a/.config/hotswap/token.json"),
                        user: String? = nil) -> AccessRefusal? {
        AccessRefusal(status: status, code: code, serverMessage: message, retryAfterSeconds: retryAfter, credential: source, user: user)
    }

    @Test(arguments: ["authentication_required", "token_expired", "token_revoked", "unknown_key", "bad_signature", "malformed_token",
                      "unsupported_algorithm", "wrong_audience", "token_not_yet_valid", "unknown_user", "a_code_from_a_newer_build"])
    func aTokenTheServerDoesNotTakeSaysToLogIn(code: String) {
        #expect(Self.refusal(401, code, message: "whatever the server says") == AccessRefusal(
            message: "not logged in or the token is no longer valid: \(code)", hint: "run 'hotswap login'", isAccessDenied: true))
    }

    @Test func theHintNamesWhereTheRefusedTokenCameFrom() {
        #expect(Self.refusal(401, "token_expired", source: .none)?.hint == "run 'hotswap login'")
        #expect(Self.refusal(401, "token_expired", source: .environment)?.hint
            == "HOTSWAP_TOKEN holds it: set a valid token, or unset it and run 'hotswap login'")
        #expect(Self.refusal(401, "token_expired", source: .tokenFile("/run/t"))?.hint
            == "--token-file /run/t holds it: put a valid token there")
        #expect(Self.refusal(401, nil)?.message == "not logged in or the token is no longer valid: HTTP 401")
    }

    @Test func aRefusedClientCertificateShowsTheServersReason() {
        let refusal = Self.refusal(401, "unknown_user", message: "no user is named ops, the client certificate's name",
                                   source: .certificate("/etc/ops.pem"))
        #expect(refusal == AccessRefusal(
            message: "the client certificate was refused: no user is named ops, the client certificate's name",
            hint: "--cert /etc/ops.pem must be an operator certificate of the cluster CA named for an existing user "
                + "('hotswap certs issue --role operator --name USER')", isAccessDenied: true))
    }

    @Test func aWrongPasswordAndALockedAccountSaySo() {
        #expect(Self.refusal(401, "invalid_credentials", user: "alice") == AccessRefusal(
            message: "wrong user name or password", hint: "five failures in a row lock the account for a while; --user names the account",
            isAccessDenied: true))
        #expect(Self.refusal(401, "account_locked", retryAfter: 120, user: "alice") == AccessRefusal(
            message: "account alice is locked; try again in 120 s", hint: "or ask an admin: hotswap users unlock alice",
            isAccessDenied: true))
        #expect(Self.refusal(401, "account_locked")?.message == "account NAME is locked; try again in 1 s")
    }

    @Test func aRoleTooLowShowsTheServersSentence() {
        let message = "bob (viewer) may not do this: it needs admin"
        #expect(Self.refusal(403, "forbidden", message: message) == AccessRefusal(
            message: message, hint: "'hotswap auth whoami' shows the user and role this command acts as", isAccessDenied: true))
        #expect(Self.refusal(403, nil)?.message == "this needs a higher role")
    }

    @Test func aRateLimitSaysWhenToRetryAndIsNoAccessFailure() {
        let limited = Self.refusal(429, "rate_limited", retryAfter: 7)
        #expect(limited == AccessRefusal(message: "rate limited: retry in 7 s",
                                         hint: "each coordinator limits requests per address, per user and, more strictly, logins",
                                         isAccessDenied: false))
        #expect(Self.refusal(429, nil, retryAfter: 0)?.message == "rate limited: retry in 1 s")
        #expect(Self.refusal(429, nil)?.message == "rate limited: retry in 1 s")
    }

    @Test func otherAnswersAreNoRefusalOfTheCaller() {
        for (status, code) in [(200, nil), (404, "not_found"), (409, "last_admin"), (503, "no_leader"),
                               (429, "too_many_pending_writes"), (429, "too_many_pending_reads")] as [(Int, String?)] {
            #expect(Self.refusal(status, code) == nil, "\(status) \(code ?? "")")
        }
    }
}
