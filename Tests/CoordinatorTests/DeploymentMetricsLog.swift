import Fleet
import Rollout

/// A log of real fleet commands for the deployment counters: deployment `d1` of `web` 2.0.0 on one
/// node, whose gate waits, then fails and rolls it back, and the node's switch back that ends it
/// `rolled_back`. `entries` are the commands with the indexes they applied at and their outcomes.
struct DeploymentMetricsLog {
    static let at: UInt64 = 1_750_000_000_000

    private(set) var state = FleetState()
    private(set) var entries: [(command: FleetCommand, index: UInt64, outcome: FleetOutcome?)] = []

    init() {
        for version in ["1.0.0", "2.0.0"] {
            append(.putModule(ModuleRecord(name: "web", version: version, sha256: [UInt8](repeating: 1, count: 32), byteCount: 1,
                                           manifest: Array("{\"format\":1}".utf8), uploadedBy: "alice", uploadedAtMilliseconds: Self.at)))
        }
        let plan = DeploymentRecord(id: "d1", module: "web", version: "2.0.0", environment: "development", strategy: .canary,
                                    gate: GateSettings(), createdBy: "alice", createdAtMilliseconds: Self.at, waves: [WaveRecord()],
                                    nodes: [DeploymentNode(id: "n0", wave: 0, previousVersion: "1.0.0")])
        append(.createDeployment(plan))
        let baseline = GateBaseline(nodes: [MetricValues([.probeLatency: 12.5])], windowMilliseconds: 120_000)
        append(.startWave(id: "d1", wave: 0, baseline: baseline, atMilliseconds: Self.at + 1_000))
        append(.recordNodeInstall(id: "d1", node: "n0", succeeded: true, detail: "ok", atMilliseconds: Self.at + 2_000))
        append(Self.gate(.wait, poll: 1))
        append(Self.gate(.fail, poll: 2))
        append(.recordNodeRollback(id: "d1", node: "n0", succeeded: true, detail: "", atMilliseconds: Self.at + 9_000))
    }

    /// The entries after the first `count`.
    func dropping(_ count: Int) -> ArraySlice<(command: FleetCommand, index: UInt64, outcome: FleetOutcome?)> {
        entries.dropFirst(count)
    }

    private mutating func append(_ command: FleetCommand) {
        let index = state.appliedIndex + 1
        entries.append((command, index, state.apply(command, at: index)))
    }

    private static func gate(_ verdict: GateVerdict, poll: UInt32) -> FleetCommand {
        let reading = NodeReading(values: MetricValues([.probeLatency: verdict == .fail ? 90 : 13]), samples: 30)
        let decision = GateDecision(poll: GatePoll(index: poll, elapsedMilliseconds: UInt64(poll) * 30_000, nodes: [reading]),
                                    verdict: verdict, reason: verdict == .fail ? .regressed : .settling, consecutiveStable: 0,
                                    failingStreaks: [verdict == .fail ? 3 : 0], consecutiveNoData: 0)
        return .recordGateDecision(id: "d1", wave: 0, decision: decision, atMilliseconds: at + 3_000 + UInt64(poll))
    }
}
