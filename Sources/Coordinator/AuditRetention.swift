import Cluster
import Fleet
import Observability
import Primitives
import Transport

/// Keeps the audit trail to its retention (Docs/AUDIT.md): on the leader with a valid lease, at most
/// once per `interval` and only when the trail's first record is older than `retention`, it proposes
/// `compactAudit` with its wall clock less the retention, so every replica drops the same records.
/// One attempt at a time. Confined to the Raft loop, like `TicketKeyRotation`; `RaftService` owns it.
final class AuditRetention: @unchecked Sendable {
    static let interval: Duration = .seconds(60)

    private let retentionMilliseconds: UInt64
    private let logger: Logger
    private let proposalsFailed: Counter
    private var failureRun = FailureRun<UInt64>()
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
    }

    /// The cut-off a compaction at wall clock `nowMilliseconds` proposes, when `oldest` (the trail's
    /// first record) is older than it; nil when nothing is due.
    func cutOff(oldest: AuditRecord?, nowMilliseconds: UInt64) -> UInt64? {
        guard let oldest, nowMilliseconds > retentionMilliseconds else { return nil }
        let cutOff = nowMilliseconds - retentionMilliseconds
        return oldest.atMilliseconds < cutOff ? cutOff : nil
    }

    /// On the leader with a valid lease: proposes a compaction through `submit` when one is due.
    func proposeIfDue(oldest: AuditRecord?, isLeaseValid: Bool,
                      submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        let now = MonotonicInstant.now()
        guard !isProposing, isLeaseValid, now >= nextAttemptAt,
              let cutOff = cutOff(oldest: oldest, nowMilliseconds: WallClock.nowMilliseconds()) else { return }
        isProposing = true
        nextAttemptAt = now.advanced(by: Self.interval)
        submit(.write(FleetCodec.encode(.compactAudit(beforeMilliseconds: cutOff)))) { [self] outcome in
            isProposing = false
            guard case let .applied(.auditCompacted(removed)) = outcome else {
                if failureRun.failed(cutOff) { proposalsFailed.increment() }
                return logger.debug("dropping audit records past their retention failed; retrying", ["outcome": outcome.logSummary])
            }
            failureRun.succeeded()
            logger.info("dropped audit records past their retention", ["records": "\(removed)", "before": "\(cutOff)"])
        }
    }
}
