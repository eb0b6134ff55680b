/// What the CLI's failover (`APIFailover`) does after one attempt at one coordinator, by the
/// request's method and what earlier attempts of the same request may have done: a pure
/// decision, so the whole table is unit-tested. The rules:
/// - An answer that guarantees nothing was applied (`nothingAppliedCodes`: the server refused
///   before proposing, or the proposal's log entry was replaced) is retried for any method, POST too.
/// - Any other 503 (`leader_changed`, `commit_timeout`, a code this build does not know, none)
///   may have applied: it is retried only for an idempotent method, and a DELETE's later 404
///   is then its own success.
/// - A failure before the request was written (refused, reset or closed in the handshake, a
///   connect or handshake timeout) moves on to the next address for any method; a certificate
///   fault too, but that address is not asked again.
/// - A failure after the request was written may have applied: an idempotent request moves on,
///   a POST stops (it is never sent twice).
/// - Any other 429 (a rate limit) applied nothing, but an idempotent request alone is sent again
///   after its `Retry-After`: a POST's, a login's above all, is the user's to repeat.
public struct FailoverRule: Sendable {
    /// How one attempt ended, as far as the failover cares.
    public enum AttemptEnd: Equatable, Sendable {
        /// A complete answer; `code` is the error document's code, when it has one.
        case answered(status: Int, code: String?)
        /// No request was written: no connection, or none that finished its handshake.
        /// `timedOut`: the attempt's share of the deadline ran out first.
        case notSent(timedOut: Bool)
        /// The server's certificate was refused: asking it again cannot help.
        case certificateRefused
        /// The request was written but no complete answer came (broken connection, timeout).
        case lost(timedOut: Bool)
    }

    /// What to do next.
    public enum Step: Equatable, Sendable {
        /// The answer is the command's.
        case finish
        /// A DELETE's 404 after an attempt that may have applied it: the command succeeded.
        case finishAlreadyDone
        /// Try the next address; with `repeatRound`, all addresses are worth another round
        /// (after the `Retry-After` of an answer, at once after a timeout).
        case next(repeatRound: Bool)
        /// Try the next address, and never this one again in this run.
        case skipAddress
        /// Stop: this attempt's failure is the command's.
        case stop
    }

    /// 503 and 429 codes the server sends only when the request was not applied and will not be:
    /// refused before it was proposed (no leader, a full queue, a busy forwarding link, a read
    /// that found no read index, a member of an older build), or its log entry was replaced
    /// (`proposal_lost`); and the leader-only routes' refusals before they do anything (a follower's
    /// `not_leader`, a leader's `artifact_not_ready` while it still fetches a module's artifact).
    /// Sources/Coordinator/ClusterOutcome+HTTP.swift maps each refusal to its code; ModuleRoutes
    /// and NodeModuleRoutes send the last two.
    public static let nothingAppliedCodes: Set<String> = [
        "no_leader", "proposal_lost", "proposal_refused", "forwarding_busy", "read_timeout",
        "too_many_pending_writes", "too_many_pending_reads", "cluster_upgrading", "not_leader", "artifact_not_ready",
    ]
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE"]

    public let method: String
    /// True once an attempt of this request may have been carried out.
    public private(set) var mayHaveApplied = false

    public init(method: String) {
        self.method = method
    }

    public var isIdempotent: Bool { Self.idempotentMethods.contains(method) }

    public mutating func step(after end: AttemptEnd) -> Step {
        switch end {
        case let .answered(status, code):
            return step(status: status, code: code)
        case let .notSent(timedOut):
            return .next(repeatRound: timedOut)
        case .certificateRefused:
            return .skipAddress
        case let .lost(timedOut):
            guard isIdempotent else { return .stop }
            mayHaveApplied = true
            return .next(repeatRound: timedOut)
        }
    }

    private mutating func step(status: Int, code: String?) -> Step {
        if status == 503 || status == 429, let code, Self.nothingAppliedCodes.contains(code) {
            return .next(repeatRound: true)
        }
        if Self.isRateLimit(status: status, code: code) { return isIdempotent ? .next(repeatRound: true) : .finish }
        if status == 503 {
            guard isIdempotent else { return .finish }
            mayHaveApplied = true
            return .next(repeatRound: true)
        }
        if status == 404, method == "DELETE", mayHaveApplied { return .finishAlreadyDone }
        return .finish
    }

    /// A longer `Retry-After` on a 503 is cut to this: the member may have a leader sooner, and
    /// the deadline is the user's.
    public static let unavailableWaitMaximum: Duration = .seconds(5)
    /// A `Retry-After` of 0 still waits this long, so a busy cluster is not spun on.
    public static let waitMinimum: Duration = .milliseconds(100)

    /// Whether an answer is a rate limit: a 429 other than a busy coordinator's (those are
    /// among `nothingAppliedCodes` and waited for like a 503).
    public static func isRateLimit(status: Int, code: String?) -> Bool {
        status == 429 && !nothingAppliedCodes.contains(code ?? "")
    }

    /// How long to wait before another round after a 503 or 429 asking `retryAfterSeconds` (nil:
    /// none or unreadable, taken as 1 s). A rate limit's wait is waited whole (asking sooner is
    /// only refused again), and when it would cross the deadline the command ends with the 429
    /// instead; any other wait is bounded, as a member may have a leader sooner.
    public static func roundWait(status: Int, code: String?, retryAfterSeconds: Int?) -> Duration {
        let asked = max(Duration.seconds(min(max(0, retryAfterSeconds ?? 1), 86_400)), waitMinimum)
        return isRateLimit(status: status, code: code) ? asked : min(asked, unavailableWaitMaximum)
    }

    /// How long one attempt at an address may take: an even share of what is left among it and
    /// the later addresses still worth trying (at least 1 s, at most what is left), so a frozen
    /// or black-holed member cannot take the whole deadline; all of it when none is left.
    public static func attemptLimit(remaining: Duration, laterAddresses: Int) -> Duration {
        guard laterAddresses > 0 else { return remaining }
        return min(remaining, max(attemptFloor, remaining / (laterAddresses + 1)))
    }

    /// The least an attempt gets while more addresses wait: a loopback or LAN handshake with room.
    public static let attemptFloor: Duration = .seconds(1)

    /// The order for the next round: the addresses whose attempt ran out of time last (each
    /// group keeps its order), the ones refused for their certificate not at all.
    public static func nextRound<Address: Equatable>(_ order: [Address], timedOut: [Address], skipped: [Address]) -> [Address] {
        let kept = order.filter { !skipped.contains($0) }
        return kept.filter { !timedOut.contains($0) } + kept.filter { timedOut.contains($0) }
    }
}
