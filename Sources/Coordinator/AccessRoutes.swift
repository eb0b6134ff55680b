import Access
import Cluster
import Fleet
import Observability
import Transport
import Wire

/// What the login and user routes share: the Raft service (for the published users and keys,
/// and to propose), the hashing pool, the access settings, and the few answers they have in
/// common. Hashes run on the pool and answers go out on the responder's own loop.
struct AccessRoutes: Sendable {
    /// The access routes' bodies are a few short fields.
    static let bodyBytesMaximum = 4_096

    let service: RaftService
    let hashing: PasswordHashingPool
    let settings: AccessSettings
    let hmac: HMACSHA256
    let logger: Logger
    let checksInFlight = PasswordChecksInFlight()

    static let invalidCredentials = APIGuard.challenged(.error(401, "invalid_credentials", "the user name or the password is wrong"))
    static let notRecorded = HTTPReply.error(503, "not_recorded", "the password check's outcome could not be recorded through Raft "
                                             + "(no leader, or the write did not commit in time); retry shortly",
                                             retryAfterSeconds: 1)
    static let busy = HTTPReply.error(503, "busy", "too many password checks are waiting; retry shortly", retryAfterSeconds: 1)
    static let stopping = HTTPReply.error(503, "shutting_down", "this coordinator is shutting down; retry on another",
                                          retryAfterSeconds: 1)

    /// 401 `account_locked` with the seconds until `untilMilliseconds` as Retry-After.
    static func locked(_ name: String, untilMilliseconds: UInt64, nowMilliseconds: UInt64) -> HTTPReply {
        let waitMilliseconds = untilMilliseconds > nowMilliseconds ? untilMilliseconds - nowMilliseconds : 0
        let seconds = Int(min(max(1, (waitMilliseconds + 999) / 1_000), UInt64(Int32.max)))
        return APIGuard.challenged(.error(401, "account_locked", "too many failed logins: user '\(name)' is locked until "
                                          + "\(UTCTimestamp.format(milliseconds: untilMilliseconds)); an admin can unlock it",
                                          retryAfterSeconds: seconds))
    }

    /// Runs `work` on the hashing pool, then `then` on the responder's loop with its result. A
    /// full queue is answered 503 `busy` at once, a pool stopping before the job ran 503; either
    /// way `abandoned` runs instead of `then`.
    func hash<Value: Sendable>(for responder: HTTPResponder, _ work: @escaping @Sendable () -> Value,
                               abandoned: @escaping @Sendable () -> Void = {},
                               then: @escaping @Sendable (HTTPResponder, Value) -> Void) {
        let bound = LoopBound(responder, loop: responder.loop)
        let accepted = hashing.submit(on: responder.loop, work) { answer in
            switch answer {
            case let .done(value): then(bound.value, value)
            case .stopping:
                abandoned()
                bound.value.send(Self.stopping)
            }
        }
        if !accepted {
            abandoned()
            responder.send(Self.busy)
        }
    }

    /// Proposes `command`, audited in `audit` (Docs/AUDIT.md), and runs `then` on the responder's
    /// loop with its outcome.
    func propose(_ command: FleetCommand, audit: AuditContext, for responder: HTTPResponder,
                 then: @escaping @Sendable (HTTPResponder, ClusterOutcome) -> Void) {
        let bound = LoopBound(responder, loop: responder.loop)
        service.submit(.audited(audit, .write(FleetCodec.encode(command)))) { outcome in
            bound.withValueOnLoop { then($0, outcome) }
        }
    }

    /// Whether a write reached the log and applied (a rejection applies too): otherwise it was
    /// not recorded.
    static func wasApplied(_ outcome: ClusterOutcome) -> Bool {
        if case .applied = outcome { return true }
        return false
    }

    /// Proposes `command` audited in `audit` and answers with its outcome as `HTTPReply` renders it.
    func propose(_ command: FleetCommand, audit: AuditContext, answering responder: HTTPResponder) {
        propose(command, audit: audit, for: responder) { responder, outcome in responder.send(HTTPReply(outcome)) }
    }

    /// A fresh salt, or the 500 answer when the random source fails.
    func salt() -> Result<[UInt8], HTTPReply> {
        do throws(AccessCryptoError) {
            return .success(try SecureRandom.bytes(PasswordDigest.saltBytes))
        } catch {
            return .failure(cryptoFailure("cannot draw a salt", error))
        }
    }

    /// Logs a libcrypto failure and gives the 500 answer for it.
    func cryptoFailure(_ what: String, _ error: AccessCryptoError) -> HTTPReply {
        logger.error("\(what)", ["error": "\(error)"])
        return .error(500, "crypto_failure", "\(what): \(error)")
    }
}
