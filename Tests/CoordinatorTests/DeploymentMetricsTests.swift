@testable import Coordinator
import Fleet
import Foundation
import Observability
import Testing
import TestSupport

/// The deployments on `/metrics`: one state series and one active-wave series per unfinished
/// deployment, none for a finished one; the counters count tallies of applied commands; promtool
/// accepts what the registry renders.
@Suite struct DeploymentMetricsTests {
    static func record(_ id: String, module: String = "web", state: DeploymentState, waves: [WaveState]) -> DeploymentRecord {
        DeploymentRecord(id: id, module: module, version: "2.0.0", environment: "production", strategy: .canary, createdBy: "alice",
                         createdAtMilliseconds: 1, state: state, waves: waves.map { WaveRecord(state: $0) },
                         nodes: waves.indices.map { DeploymentNode(id: "n\($0)", wave: UInt16($0), previousVersion: "1.0.0") })
    }

    static let deployments = [
        record("a", state: .running, waves: [.passed, .gating, .pending]),
        record("b", module: "api", state: .awaitingApproval, waves: [.pending]),
        record("c", module: "db", state: .succeeded, waves: [.passed]),
        record("d", module: "queue", state: .rollingBack, waves: [.failed, .pending]),
    ]

    @Test func unfinishedDeploymentsHaveAStateAndAnActiveWave() {
        let states = DeploymentMetrics.stateSamples(Self.deployments)
        #expect(states.map(\.labels).sorted { $0["id"]! < $1["id"]! } == [
            ["id": "a", "module": "web", "environment": "production", "state": "running"],
            ["id": "b", "module": "api", "environment": "production", "state": "awaiting_approval"],
            ["id": "d", "module": "queue", "environment": "production", "state": "rolling_back"],
        ])
        #expect(states.allSatisfy { $0.value == 1 })
        let waves = DeploymentMetrics.activeWaveSamples(Self.deployments)
        #expect(Dictionary(uniqueKeysWithValues: waves.map { ($0.labels["id"]!, $0.value) }) == ["a": 1, "b": -1, "d": -1])
        #expect(waves.allSatisfy { $0.labels.count == 3 })
    }

    @Test func theRegistryShowsTheGaugesAndCountsTalliesAndPromtoolAcceptsIt() throws {
        let registry = MetricsRegistry()
        let counters = DeploymentMetrics(metrics: registry)
        DeploymentMetrics.registerGauges(in: registry) { Self.deployments }
        var rolling = Self.record("e", state: .rollingBack, waves: [.failed])
        rolling.nodes[0].state = .rolledBack
        rolling.state = .rolledBack
        counters.count(.compactDeployments(beforeMilliseconds: 1), .deploymentStored(rolling, change: .node(id: "n0", state: .rolledBack)))
        counters.count(.compactDeployments(beforeMilliseconds: 1), .deploymentStored(rolling, change: .unchanged))
        let text = registry.exposition()
        #expect(text.contains("hotswap_deployment_state{environment=\"production\",id=\"a\",module=\"web\",state=\"running\"} 1\n"))
        #expect(text.contains("hotswap_deployment_active_wave{environment=\"production\",id=\"a\",module=\"web\"} 1\n"))
        #expect(!text.contains("id=\"c\""), "a finished deployment is counted, not listed")
        #expect(text.contains("hotswap_deployments_finished_total{state=\"rolled_back\"} 1\n"))
        #expect(text.contains("hotswap_deployments_finished_total{state=\"succeeded\"} 0\n"))
        #expect(text.contains("hotswap_deployment_gate_verdicts_total{verdict=\"fail\"} 0\n"))
        #expect(text.contains("hotswap_deployment_gate_rollbacks_total 0\n"))

        try Prerequisite.requireTools("promtool")
        let result = try ExternalCommand.run(["promtool", "check", "metrics"], input: Data(text.utf8))
        #expect(result.status == 0 && result.combined.isEmpty, "promtool: \(result.combined)")
    }
}
