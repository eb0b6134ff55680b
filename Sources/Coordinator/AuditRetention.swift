import Cluster
import Fleet
import Observability
import Primitives
import Transport

/// Keeps the audit trail's times to the leader's clock and the trail to its retention
/// (Docs/AUDIT.md). On the leader with a valid lease, at most once per `interval` and only when a
/// compaction is due (`AuditTrail.retentionCut`: its wall clock less the retention, never later
/// than the newest record's time less the retention), it proposes `compactAudit`, so every
/// replica drops the same records; a clock that would cut past every record is logged and
/// counted. One attempt at a time. Confined to the Raft loop, like `TicketKeyRotation`;
/// `RaftService` owns it.
final class AuditRetention: @unchecked Sendable {
    static let interval: Duration = .seconds(60)

    private let retentionMilliseconds: UInt64
    private let logger: Logger
    private let proposalsFailed: Counter
    private let clockAhead: Counter
    private let timesReplaced: Counter
    private var failureRun = FailureRun<Bool>()
    private var isClockAhead = false
    private var isProposing = false
    private var nextAttemptAt = MonotonicInstant(nanoseconds: 0)

    init(retention: Duration, logger: Logger, metrics: MetricsRegistry) {
        let range = CoordinatorConfiguration.auditRetentionRange
        precondition(range.contains(retention), "audit retention \(retention) outside \(range)")
        retentionMilliseconds = UInt64(retention.wholeMilliseconds)
        self.logger = logger
        proposalsFailed = metrics.counter("hotswap_audit_compactions_failed_total",
                                          help: "Runs of failed proposals to drop audit records past their retention: "
                                              + "one per run of retries that fail, until one succeeds.")
        clockAhead = metrics.counter("hotswap_audit_compaction_clock_ahead_total",
                                     help: "Runs of checks where this leader's clock less the retention was past the newest "
                                         + "audit record (a clock ahead, or a trail idle longer than the retention): the "
                                         + "cut-off was held to the newest record's time less the retention.")
        timesReplaced = metrics.counter("hotswap_audit_context_times_replaced_total",
                                        help: "Audited requests whose time was more than 5 minutes from this leader's clock "
                                            + "and was replaced by it.")
    }

    /// `context` as this leader records it (`AuditContext.stamped`): a time too far from its clock
    /// is replaced by its clock, and counted.
    func stamped(_ context: AuditContext, nowMilliseconds: UInt64 = WallClock.nowMilliseconds()) -> AuditContext {
        let stamped = context.stamped(leaderMilliseconds: nowMilliseconds)
        if stamped != context { timesReplaced.increment() }
        return stamped
    }

    /// On the leader with a valid lease: proposes a compaction of `trail` through `submit` when one is due.
    func proposeIfDue(trail: AuditTrail, isLeaseValid: Bool, now: MonotonicInstant = .now(),
                      nowMilliseconds: UInt64 = WallClock.nowMilliseconds(),
                      submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        guard !isProposing, isLeaseValid, now >= nextAttemptAt else { return }
        let cut = trail.retentionCut(nowMilliseconds: nowMilliseconds, retentionMilliseconds: retentionMilliseconds)
        noteClock(cut, trail: trail, nowMilliseconds: nowMilliseconds)
        guard let cutOff = cut.beforeMilliseconds else { return }
        isProposing = true
        nextAttemptAt = now.advanced(by: Self.interval)
        submit(.write(FleetCodec.encode(.compactAudit(beforeMilliseconds: cutOff)))) { [self] outcome in
            isProposing = false
            guard case let .applied(.auditCompacted(removed)) = outcome else {
                if failureRun.failed(true) { proposalsFailed.increment() }
                return logger.debug("dropping audit records past their retention failed; retrying", ["outcome": outcome.logSummary])
            }
            failureRun.succeeded()
            logger.info("dropped audit records past their retention", ["records": "\(removed)", "before": "\(cutOff)"])
        }
    }

    /// Logs and counts the start of a run of checks whose clock would cut past every record.
    private func noteClock(_ cut: AuditTrail.RetentionCut, trail: AuditTrail, nowMilliseconds: UInt64) {
        defer { isClockAhead = cut.isClockAhead }
        guard cut.isClockAhead, !isClockAhead else { return }
        clockAhead.increment()
        logger.warning("this leader's clock less the audit retention is past the newest audit record; compaction keeps "
                       + "the records within the retention of the newest (a clock ahead, or no record for longer than the retention)",
                       ["now": UTCTimestamp.format(milliseconds: nowMilliseconds),
                        "newest": trail.newest.map { UTCTimestamp.format(milliseconds: $0.atMilliseconds) } ?? "-"])
    }
}
