import Cluster
import Fleet
import Observability

/// This coordinator's API and agent addresses, written through Raft while the replicated ones
/// differ (first start, a new port, a lost write), one attempt at a time, so that followers can
/// send agents to the leader and people to any API. Confined to the Raft loop, like
/// `RaftService`, which owns it.
final class AddressPublication: @unchecked Sendable {
    private let logger: Logger
    private let failures: Counter
    private var failureRun = FailureRun<AdvertisedAddresses>()
    private var isProposing = false
    /// What this coordinator advertises; set when the service starts.
    var own: AdvertisedAddresses?

    init(logger: Logger, metrics: MetricsRegistry) {
        self.logger = logger
        failures = metrics.counter("hotswap_coordinator_address_publications_failed_total",
                                   help: "Runs of failed writes of this coordinator's advertised addresses: one per run of "
                                       + "retries that fail, until one succeeds or the addresses change.")
    }

    /// Proposes `own` through `submit` when a leader is known and the replicated record differs.
    func publishIfStale(replicated: [String: AdvertisedAddresses], isLeaderKnown: Bool,
                        submit: (ClusterRequest, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        guard let own, !isProposing, isLeaderKnown, replicated[own.name] != own else { return }
        isProposing = true
        submit(.write(FleetCodec.encode(.publishAddresses(own)))) { [self] outcome in
            isProposing = false
            guard !outcome.succeeded else { return failureRun.succeeded() }
            if failureRun.failed(own) { failures.increment() }
            logger.debug("publishing this coordinator's addresses failed; retrying", ["outcome": outcome.logSummary])
        }
    }
}
