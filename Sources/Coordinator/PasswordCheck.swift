import Access
import Cluster
import Fleet
import Observability
import Primitives
import Transport

/// Checks a user's password the one way a login and a change of one's own password both do
/// (Docs/ACCESS.md, "Lockout"): after a linearizable read barrier (so a coordinator that cannot
/// reach a quorum, and so could not count a failure, checks nothing), refused while the account
/// is locked, one of the user's few in-flight slots taken, hashed on the pool, the record read
/// again (a lock or a new password since refuses), and a wrong password counted through Raft
/// before it is answered. An unknown user is checked against a dummy digest and recorded in the
/// audit trail alone; a failure is counted and recorded in one entry (Docs/AUDIT.md).
/// `source` is the client's address, for the audit records.
enum PasswordCheck {
    /// Runs `verified` on the responder's loop with the user's record when `password` is
    /// right; otherwise answers for it.
    static func check(_ name: String, password: String, source: String?, access: AccessRoutes, responder: HTTPResponder,
                      verified: @escaping @Sendable (HTTPResponder, UserRecord) -> Void) {
        let bound = LoopBound(responder, loop: responder.loop)
        access.service.read { answer in
            bound.withValueOnLoop { responder in
                switch answer {
                case .view:
                    checkAfterBarrier(name, password: password, source: source, access: access, responder: responder, verified: verified)
                case let .refused(refusal): responder.send(HTTPReply(.refused(refusal)))
                }
            }
        }
    }

    private static func checkAfterBarrier(_ name: String, password: String, source: String?, access: AccessRoutes,
                                          responder: HTTPResponder,
                                          verified: @escaping @Sendable (HTTPResponder, UserRecord) -> Void) {
        let now = WallClock.nowMilliseconds()
        // The published view is at least as new as the barrier's, and holds every failure that
        // released its slot.
        guard let record = access.service.view.users[name] else {
            // The same hash as for a user who exists, and a Raft entry too (its audit record).
            let dummy = PasswordHasher.unknownUserDigest
            return access.hash(for: responder, {
                Result { () throws(AccessCryptoError) in try PasswordHasher.verify(password: password, against: dummy) }
            }, then: { responder, _ in
                let audit = AuditContext.unknown(source: source, atMilliseconds: WallClock.nowMilliseconds())
                access.propose(.recordUnknownLogin, audit: audit, for: responder) { responder, outcome in
                    guard outcome.succeeded else {
                        access.logger.warning("a login for an unknown user could not be recorded", ["outcome": outcome.logSummary])
                        return responder.send(AccessRoutes.notRecorded)
                    }
                    responder.send(AccessRoutes.invalidCredentials)
                }
            })
        }
        guard record.lockedUntilMilliseconds <= now else {
            return responder.send(AccessRoutes.locked(name, untilMilliseconds: record.lockedUntilMilliseconds, nowMilliseconds: now))
        }
        guard access.checksInFlight.take(name, slots: PasswordChecksInFlight.slots(failedLogins: record.failedLogins)) else {
            return responder.send(.error(429, "rate_limited", "too many password checks of user '\(name)' at once; retry in 1 s",
                                         retryAfterSeconds: 1))
        }
        access.hash(for: responder, {
            Result { () throws(AccessCryptoError) in try PasswordHasher.verify(password: password, against: record.digest) }
        }, abandoned: { access.checksInFlight.release(name) }, then: { responder, result in
            let current = access.service.view.users[name]
            let now = WallClock.nowMilliseconds()
            switch result {
            case .success(true):
                access.checksInFlight.release(name)
                guard let current, current.credentialIndex == record.credentialIndex else {
                    return responder.send(AccessRoutes.invalidCredentials)
                }
                guard current.lockedUntilMilliseconds <= now else {
                    return responder.send(AccessRoutes.locked(name, untilMilliseconds: current.lockedUntilMilliseconds,
                                                              nowMilliseconds: now))
                }
                verified(responder, current)
            case .success(false):
                failed(name, audit: AuditContext(user: name, role: record.role, source: source, atMilliseconds: now),
                       access: access, responder: responder)
            case let .failure(error):
                access.checksInFlight.release(name)
                responder.send(access.cryptoFailure("cannot check the password of user '\(name)'", error))
            }
        })
    }

    /// Counts the failure through Raft and answers once it applied: `account_locked` when it
    /// locked the account (or the account was locked by then), else `invalid_credentials`; 503
    /// when it could not be counted. Its slot is given back once this coordinator has applied
    /// the failure too (`releaseOnceApplied`).
    private static func failed(_ name: String, audit: AuditContext, access: AccessRoutes, responder: HTTPResponder) {
        let now = audit.atMilliseconds
        access.propose(.recordLoginFailure(name: name, atMilliseconds: now), audit: audit, for: responder) { responder, outcome in
            if AccessRoutes.wasApplied(outcome) {
                releaseOnceApplied(name, access: access)
            } else {
                access.checksInFlight.release(name)
            }
            switch outcome {
            case let .applied(.loginFailureRecorded(_, _, lockedUntil)) where lockedUntil > 0,
                 let .applied(.accountLocked(_, lockedUntil)):
                responder.send(AccessRoutes.locked(name, untilMilliseconds: lockedUntil, nowMilliseconds: now))
            case .applied:
                responder.send(AccessRoutes.invalidCredentials)
            case .leader, .document, .refused:
                access.logger.warning("a failed password check could not be counted", ["user": name, "outcome": outcome.logSummary])
                responder.send(AccessRoutes.notRecorded)
            }
        }
    }

    /// Gives back a slot of `name` once this coordinator has applied the failure that held it.
    /// A follower hears that the leader applied a forwarded failure before it applies it itself;
    /// a slot given back then would let the next check read the record without that failure (a
    /// lock missed). A linearizable read barrier started now waits, bounded by its timeout, until
    /// this coordinator has applied an index the leader reached after the failure; the slot is
    /// given back when it completes, refused (timeout, no leader, shutdown) included.
    private static func releaseOnceApplied(_ name: String, access: AccessRoutes) {
        access.service.read { _ in access.checksInFlight.release(name) }
    }
}
