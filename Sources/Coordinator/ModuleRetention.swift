import Cluster
import Fleet
import Observability
import Primitives
import Transport

/// Keeps the recorded module versions to their retention (Docs/MODULES.md, "Retention"). On the
/// leader with a valid lease, at most once per `interval`, it proposes the deletion of the oldest
/// version `FleetState.collectableModuleVersions` names (beyond the newest `keepingNewest` of its
/// module, run by no node) that no open module order installs (`versionsOrdered`), audited as
/// `module.delete` by `retentionUser`. One proposal at a time; after a deletion the next may
/// follow at once, after a failure only an interval later.
/// Confined to the Raft loop, like `AuditRetention`; `RaftService` owns it.
final class ModuleRetention: @unchecked Sendable {
    static let interval: Duration = .seconds(10)
    /// The audit trail's user for deletions retention makes: no user name starts with `-`.
    static let retentionUser = "-retention"

    private let keepingNewest: Int
    private let logger: Logger
    private let collected: Counter
    private let proposalsFailed: Counter
    private var failureRun = FailureRun<Bool>()
    private var isProposing = false
    private var nextAttemptAt = MonotonicInstant(nanoseconds: 0)
    /// The versions open module orders install, by module (`ModuleOrders.versionsInstalling`):
    /// kept whatever their age. Set before the Raft loop starts.
    var versionsOrdered: @Sendable () -> [String: Set<String>] = { [:] }

    init(keepingNewest: Int, logger: Logger, metrics: MetricsRegistry) {
        precondition(FleetState.moduleRetentionRange.contains(keepingNewest), "module retention \(keepingNewest) out of range")
        self.keepingNewest = keepingNewest
        self.logger = logger
        collected = metrics.counter("hotswap_module_versions_collected_total",
                                    help: "Module versions this coordinator, as leader, deleted because they were beyond the "
                                        + "retention of their module and no node ran them.")
        proposalsFailed = metrics.counter("hotswap_module_collections_failed_total",
                                          help: "Runs of failed proposals to delete a module version beyond its retention: one "
                                              + "per run of retries that fail, until one succeeds.")
    }

    /// On the leader with a valid lease: proposes the deletion of the oldest collectable version
    /// through `submit`, when one is due and the cluster reads module commands.
    func proposeIfDue(fleet: FleetState, isLeaseValid: Bool, now: MonotonicInstant = .now(),
                      nowMilliseconds: UInt64 = WallClock.nowMilliseconds(),
                      submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        guard !isProposing, isLeaseValid, now >= nextAttemptAt,
              fleet.effectiveClusterVersion >= FleetCodec.moduleCommandsVersion else { return }
        let ordered = versionsOrdered()
        let skipped = ordered.values.reduce(0) { $0 + $1.count }
        guard let oldest = fleet.collectableModuleVersions(keepingNewest: keepingNewest, maximum: skipped + 1)
            .first(where: { !(ordered[$0.name]?.contains($0.version) ?? false) }) else { return }
        isProposing = true
        nextAttemptAt = now.advanced(by: Self.interval)
        let context = AuditContext(user: Self.retentionUser, role: nil, source: nil, atMilliseconds: nowMilliseconds)
        let command = FleetCommand.audited(context, .deleteModule(name: oldest.name, version: oldest.version))
        submit(.write(FleetCodec.encode(command))) { [self] outcome in
            isProposing = false
            guard case .applied(.moduleDeleted) = outcome else {
                if failureRun.failed(true) { proposalsFailed.increment() }
                return logger.debug("deleting a module version beyond its retention failed; retrying",
                                    ["module": oldest.name, "version": oldest.version, "outcome": outcome.logSummary])
            }
            failureRun.succeeded()
            collected.increment()
            nextAttemptAt = now
            logger.info("deleted a module version beyond its retention", [
                "module": oldest.name, "version": oldest.version, "sha256": oldest.sha256Hex, "keepingNewest": "\(keepingNewest)"])
        }
    }
}
