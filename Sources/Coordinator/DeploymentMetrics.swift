import Fleet
import Observability
import Rollout

/// The deployments on `/metrics` (Docs/DEPLOYMENTS.md, "Metrics"). The gauges are read at scrape
/// time from the deployments this coordinator applied, so a follower shows what the leader shows
/// once it has applied as far. The counters count what this process applied since it started (a
/// restart replays the log past its snapshot and counts that part again; a snapshot installed from
/// the leader counts nothing of what it covers): Prometheus's `rate` and `increase` handle the
/// resets. Counting is on the Raft loop, one `DeploymentTally` per applied command.
final class DeploymentMetrics: Sendable {
    /// Unfinished deployments are at most one per module and environment, and the state holds at
    /// most `FleetState.deploymentsMaximum` deployments: each gauge has at most that many series.
    static let seriesMaximum = FleetState.deploymentsMaximum

    private let verdicts: [GateVerdict: Counter]
    private let gateRollbacks: Counter
    private let finished: [DeploymentState: Counter]

    init(metrics: MetricsRegistry) {
        verdicts = Dictionary(uniqueKeysWithValues: GateVerdict.allCases.map { verdict in
            (verdict, metrics.counter("hotswap_deployment_gate_verdicts_total",
                                      help: "Gate decisions applied since this process started, by verdict: proceed, wait or fail.",
                                      labels: [("verdict", verdict.metricLabel)]))
        })
        gateRollbacks = metrics.counter("hotswap_deployment_gate_rollbacks_total",
                                        help: "Rollbacks a failed gate began, applied since this process started.")
        finished = Dictionary(uniqueKeysWithValues: DeploymentState.allCases.filter(\.isTerminal).map { state in
            (state, metrics.counter("hotswap_deployments_finished_total",
                                    help: "Deployments that reached a terminal state, applied since this process started, by state.",
                                    labels: [("state", state.description)]))
        })
    }

    /// Counts what the applied `command` did, by its `outcome`. On the Raft loop.
    func count(_ command: FleetCommand, _ outcome: FleetOutcome) {
        guard let tally = DeploymentTally(command: command, outcome: outcome) else { return }
        if let verdict = tally.verdict { verdicts[verdict]?.increment() }
        if tally.gateRollback { gateRollbacks.increment() }
        if let state = tally.finished { finished[state]?.increment() }
    }

    /// The gauges of the unfinished deployments `deployments` returns, read at each scrape.
    static func registerGauges(in metrics: MetricsRegistry, deployments: @escaping @Sendable () -> [DeploymentRecord]) {
        metrics.gaugeCollection("hotswap_deployment_state",
                                help: "1 for each unfinished deployment, labelled with its state: awaiting_approval, running, "
                                + "paused or rolling_back.", seriesMaximum: seriesMaximum) {
            stateSamples(deployments())
        }
        metrics.gaugeCollection("hotswap_deployment_active_wave",
                                help: "The index (from 0) of each unfinished deployment's wave installing or gating; -1 when none is.",
                                seriesMaximum: seriesMaximum) {
            activeWaveSamples(deployments())
        }
    }

    static func stateSamples(_ deployments: [DeploymentRecord]) -> [MetricSample] {
        deployments.filter { !$0.state.isTerminal }.map { record in
            MetricSample(labels: labels(of: record).merging(["state": record.state.description]) { $1 }, value: 1)
        }
    }

    static func activeWaveSamples(_ deployments: [DeploymentRecord]) -> [MetricSample] {
        deployments.filter { !$0.state.isTerminal }.map { record in
            MetricSample(labels: labels(of: record), value: Double(record.activeWave ?? -1))
        }
    }

    private static func labels(of record: DeploymentRecord) -> [String: String] {
        ["id": record.id, "module": record.module, "environment": record.environment]
    }
}
