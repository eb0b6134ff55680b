import Access
import Cluster
import Fleet
import Observability
import Primitives
import Transport
import Wire

/// `/api/v1/auth`: logging in for a token, who a token speaks for, and rotating the signing
/// key (Docs/ACCESS.md). A login is rate-limited per address (on its head) and its password checked by
/// `PasswordCheck` (read barrier, lockout, in-flight slots, a wrong one counted through Raft).
enum AuthRoutes {
    static let loginShape = "{\"username\": \"NAME\", \"password\": \"...\"}"
    static let rotateShape = "{\"overlapSeconds\": 0-86400 (optional, 3600 by default)}"
    static let overlapSecondsRange: ClosedRange<Int64> = 0...86_400
    static let overlapSecondsDefault: Int64 = 3_600

    static func register(in routes: inout GuardedRoutes, _ access: AccessRoutes) {
        // The login bucket is taken on the head, by the guard (`APIGuard.loginRoute`).
        routes.addOpen("POST", "/api/v1/auth/login", bodyMaximumBytes: AccessRoutes.bodyBytesMaximum) { request, responder in
            do throws(AccessBody.Refusal) {
                let body = try AccessBody.parse(request.body, known: ["username", "password"], shape: loginShape)
                login(try body.string("username"), password: try body.string("password"), source: request.remoteAddress?.host,
                      access: access, responder: responder)
            } catch {
                responder.send(error.reply)
            }
        }
        routes.add("GET", "/api/v1/auth/me") { _, responder, caller in
            responder.send(.json(200, "{\"user\":\(JSONText.quoted(caller.name)),\"role\":\(JSONText.quoted(caller.role.rawValue)),"
                                 + "\"expiresAt\":\(JSONText.quoted(UTCTimestamp.format(milliseconds: caller.expiresAtSeconds * 1_000))),"
                                 + "\"method\":\(JSONText.quoted(caller.method.rawValue))}"))
        }
        routes.add("POST", "/api/v1/auth/rotate-key", bodyMaximumBytes: AccessRoutes.bodyBytesMaximum) { request, responder, caller in
            let overlapSeconds: Int64
            do throws(AccessBody.Refusal) {
                let body = try AccessBody.parse(request.body, known: ["overlapSeconds"], shape: rotateShape)
                overlapSeconds = try body.optionalInteger("overlapSeconds") ?? overlapSecondsDefault
            } catch {
                return responder.send(error.reply)
            }
            guard overlapSecondsRange.contains(overlapSeconds) else {
                return responder.send(.error(422, "invalid_overlap", "overlapSeconds must be from 0 to 86400, not \(overlapSeconds)"))
            }
            let key: SigningKeyRecord
            do throws(AccessCryptoError) {
                key = try AdminBootstrap.newSigningKey(nowMilliseconds: WallClock.nowMilliseconds())
            } catch {
                return responder.send(access.cryptoFailure("cannot make a signing key", error))
            }
            let command = FleetCommand.rotateSigningKey(key, overlapMilliseconds: UInt64(overlapSeconds) * 1_000)
            access.propose(command, audit: AuditContext(caller, request), for: responder) { responder, outcome in
                guard case let .applied(.signingKeyRotated(kid)) = outcome else { return responder.send(HTTPReply(outcome)) }
                responder.send(.json(200, "{\"kid\":\(JSONText.quoted(kid)),\"overlapSeconds\":\(overlapSeconds)}"))
            }
        }
    }

    /// Checks the password as `PasswordCheck` does, then records the success through Raft, audited
    /// (clearing earlier failures), and only then issues the token: a coordinator whose writes
    /// fail answers a right password 503 `not_recorded` exactly as a wrong one, so without a
    /// quorum a password cannot be tested by guesses that are not counted.
    private static func login(_ name: String, password: String, source: String?, access: AccessRoutes, responder: HTTPResponder) {
        PasswordCheck.check(name, password: password, source: source, access: access, responder: responder) { responder, record in
            let audit = AuditContext(user: record.name, role: record.role, source: source, atMilliseconds: WallClock.nowMilliseconds())
            access.propose(.recordLoginSuccess(name: record.name), audit: audit, for: responder) { responder, outcome in
                if let refusal = refusal(recordingSuccessOf: record.name, outcome, nowMilliseconds: WallClock.nowMilliseconds()) {
                    if refusal.status == 503 {
                        access.logger.warning("a login's success could not be recorded",
                                              ["user": record.name, "outcome": outcome.logSummary])
                    }
                    return responder.send(refusal)
                }
                issue(record, access: access, responder: responder)
            }
        }
    }

    /// The answer instead of a token when recording a login's success gave `outcome`, or nil to
    /// issue one: 401 `account_locked` with Retry-After when the account was locked at the login's
    /// time (`loginSuccessWhileLocked`: a lock that committed after the check read the record),
    /// 503 `not_recorded` when the success was not recorded.
    static func refusal(recordingSuccessOf name: String, _ outcome: ClusterOutcome, nowMilliseconds: UInt64) -> HTTPReply? {
        if case let .applied(.loginSuccessWhileLocked(_, until)) = outcome {
            return AccessRoutes.locked(name, untilMilliseconds: until, nowMilliseconds: nowMilliseconds)
        }
        return outcome.succeeded ? nil : AccessRoutes.notRecorded
    }

    /// Signs a token with the ring's newest key for the user's role now.
    private static func issue(_ record: UserRecord, access: AccessRoutes, responder: HTTPResponder) {
        let view = access.service.view
        guard let key = view.signingKeys.first else {
            return responder.send(.error(503, "not_bootstrapped", "the cluster has no signing key yet; retry shortly",
                                         retryAfterSeconds: 1))
        }
        let role = view.users[record.name]?.role ?? record.role
        let token: String
        let claims: TokenClaims
        do throws(AccessCryptoError) {
            claims = try TokenClaims.issued(for: record, nowMilliseconds: WallClock.nowMilliseconds(),
                                            lifetimeSeconds: access.settings.tokenLifetimeSeconds)
            token = try TokenSigner.sign(claims, with: key, hmac: access.hmac)
        } catch {
            return responder.send(access.cryptoFailure("cannot issue a token", error))
        }
        responder.send(.json(200, "{\"token\":\(JSONText.quoted(token)),"
                             + "\"expiresAt\":\(JSONText.quoted(UTCTimestamp.format(milliseconds: claims.expiresAtSeconds * 1_000))),"
                             + "\"user\":\(JSONText.quoted(record.name)),\"role\":\(JSONText.quoted(role.rawValue))}"))
    }
}
