import Fleet
import Observability
import Rollout

/// The deployments on `/metrics` (Docs/DEPLOYMENTS.md, "Metrics"). The gauges are read at scrape
/// time from the deployments this coordinator applied, so a follower shows what the leader shows
/// once it has applied as far. The counters count what this process applied past the commit index
/// it recovered at start-up (`countingAfter`): a restart applies the log again from its snapshot,
/// and what it committed before is never counted twice. Counting is on the Raft loop, one
/// `DeploymentTally` per applied command.
final class DeploymentMetrics: Sendable {
    /// Unfinished deployments are at most one per module and environment, and the state holds at
    /// most `FleetState.deploymentsMaximum` deployments: each gauge has at most that many series.
    static let seriesMaximum = FleetState.deploymentsMaximum

    /// Entries at or below this index committed before this process started: not counted.
    let countingAfter: UInt64
    private let verdicts: [GateVerdict: Counter]
    private let gateRollbacks: Counter
    private let finished: [DeploymentState: Counter]

    init(metrics: MetricsRegistry, countingAfter: UInt64) {
        self.countingAfter = countingAfter
        verdicts = Dictionary(uniqueKeysWithValues: GateVerdict.allCases.map { verdict in
            (verdict, metrics.counter("hotswap_deployment_gate_verdicts_total",
                                      help: "Gate decisions applied since this process started, by verdict: proceed, wait or fail.",
                                      labels: [("verdict", verdict.metricLabel)]))
        })
        gateRollbacks = metrics.counter("hotswap_deployment_gate_rollbacks_total",
                                        help: "Rollbacks a failed gate began, applied since this process started.")
        finished = Dictionary(uniqueKeysWithValues: DeploymentState.allCases.filter(\.isTerminal).map { state in
            (state, metrics.counter("hotswap_deployment_finished_total",
                                    help: "Deployments that reached a terminal state, applied since this process started, by state.",
                                    labels: [("state", state.description)]))
        })
    }

    /// Counts what the `command` applied at `index` did, by its `outcome`, unless it committed
    /// before this process started. On the Raft loop.
    func count(_ command: FleetCommand, _ outcome: FleetOutcome, at index: UInt64) {
        guard index > countingAfter, let tally = DeploymentTally(command: command, outcome: outcome) else { return }
        if let verdict = tally.verdict {
            guard let counter = verdicts[verdict] else { preconditionFailure("no counter for the verdict \(verdict)") }
            counter.increment()
        }
        if tally.gateRollback { gateRollbacks.increment() }
        if let state = tally.finished {
            guard let counter = finished[state] else { preconditionFailure("no counter for the terminal state \(state)") }
            counter.increment()
        }
    }

    /// The gauges of the unfinished deployments `deployments` returns, read at each scrape.
    static func registerGauges(in metrics: MetricsRegistry, deployments: @escaping @Sendable () -> [DeploymentRecord]) {
        metrics.gaugeCollection("hotswap_deployment_state",
                                help: "1 for each unfinished deployment, labelled with its state: awaiting_approval, running, "
                                + "paused or rolling_back.", labelNames: ["id", "module", "environment", "state"],
                                seriesMaximum: seriesMaximum) {
            stateSamples(deployments())
        }
        metrics.gaugeCollection("hotswap_deployment_active_wave",
                                help: "The index (from 0) of each unfinished deployment's wave installing or gating; "
                                + "no series while none is.", labelNames: ["id", "module", "environment"], seriesMaximum: seriesMaximum) {
            activeWaveSamples(deployments())
        }
    }

    static func stateSamples(_ deployments: [DeploymentRecord]) -> [MetricSample] {
        deployments.filter { !$0.state.isTerminal }.map { record in
            MetricSample(labels: labels(of: record).merging(["state": record.state.description]) { $1 }, value: 1)
        }
    }

    static func activeWaveSamples(_ deployments: [DeploymentRecord]) -> [MetricSample] {
        deployments.filter { !$0.state.isTerminal }.compactMap { record in
            record.activeWave.map { MetricSample(labels: labels(of: record), value: Double($0)) }
        }
    }

    private static func labels(of record: DeploymentRecord) -> [String: String] {
        ["id": record.id, "module": record.module, "environment": record.environment]
    }
}
