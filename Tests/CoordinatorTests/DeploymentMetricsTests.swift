@testable import Coordinator
import Fleet
import Foundation
import Observability
import Testing
import TestSupport

/// The deployments on `/metrics`: one state series per unfinished deployment and an active-wave
/// series while a wave is active, none for a finished one; the counters count what real applied
/// commands did, except what committed before the process started; promtool accepts what the
/// registry renders.
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

    /// The counters' lines after `entries` applied, counting past `countingAfter`.
    static func counted(_ entries: some Sequence<(command: FleetCommand, index: UInt64, outcome: FleetOutcome?)>,
                        countingAfter: UInt64 = 0) -> Set<String> {
        let registry = MetricsRegistry()
        let counters = DeploymentMetrics(metrics: registry, countingAfter: countingAfter)
        for entry in entries {
            if let outcome = entry.outcome { counters.count(entry.command, outcome, at: entry.index) }
        }
        return Set(registry.exposition().split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") })
    }

    static func lines(wait: Int, fail: Int, rollbacks: Int, rolledBack: Int) -> Set<String> {
        ["hotswap_deployment_gate_verdicts_total{verdict=\"wait\"} \(wait)",
         "hotswap_deployment_gate_verdicts_total{verdict=\"proceed\"} 0",
         "hotswap_deployment_gate_verdicts_total{verdict=\"fail\"} \(fail)",
         "hotswap_deployment_gate_rollbacks_total \(rollbacks)",
         "hotswap_deployment_finished_total{state=\"rolled_back\"} \(rolledBack)",
         "hotswap_deployment_finished_total{state=\"succeeded\"} 0",
         "hotswap_deployment_finished_total{state=\"aborted\"} 0",
         "hotswap_deployment_finished_total{state=\"failed\"} 0"]
    }

    @Test func unfinishedDeploymentsHaveAStateAndAnActiveWaveWhileOneIsActive() {
        let states = DeploymentMetrics.stateSamples(Self.deployments)
        #expect(states.map(\.labels).sorted { $0["id"]! < $1["id"]! } == [
            ["id": "a", "module": "web", "environment": "production", "state": "running"],
            ["id": "b", "module": "api", "environment": "production", "state": "awaiting_approval"],
            ["id": "d", "module": "queue", "environment": "production", "state": "rolling_back"],
        ])
        #expect(states.allSatisfy { $0.value == 1 })
        let waves = DeploymentMetrics.activeWaveSamples(Self.deployments)
        #expect(waves == [MetricSample(labels: ["id": "a", "module": "web", "environment": "production"], value: 1)])
    }

    @Test func theCountersCountWhatTheAppliedCommandsDid() {
        let log = DeploymentMetricsLog()
        #expect(log.state.deployments["d1"]?.state == .rolledBack)
        #expect(Self.counted(log.entries).isSuperset(of: Self.lines(wait: 1, fail: 1, rollbacks: 1, rolledBack: 1)))
    }

    @Test func whatCommittedBeforeTheProcessStartedIsNotCountedAgain() throws {
        let log = DeploymentMetricsLog()
        let last = try #require(log.entries.last?.index)
        #expect(Self.counted(log.entries, countingAfter: last).isSuperset(of: Self.lines(wait: 0, fail: 0, rollbacks: 0, rolledBack: 0)))
        let wait = try #require(log.entries.first { if case .recordGateDecision = $0.command { true } else { false } }?.index)
        #expect(Self.counted(log.entries, countingAfter: wait).isSuperset(of: Self.lines(wait: 0, fail: 1, rollbacks: 1, rolledBack: 1)))
    }

    @Test func theLabelsOfAnyValidRecordFitTheRegistrysBound() {
        #expect(DeploymentRecord.textBytesMaximum <= MetricsRegistry.labelValueMaximumBytes)
        #expect(DeploymentRecord.idBytesMaximum <= MetricsRegistry.labelValueMaximumBytes)
        let longest = String(repeating: "m", count: DeploymentRecord.textBytesMaximum)
        var record = Self.record(String(repeating: "i", count: DeploymentRecord.idBytesMaximum), module: longest, state: .running,
                                 waves: [.gating])
        record.environment = String(repeating: "e", count: DeploymentRecord.textBytesMaximum)
        let registry = MetricsRegistry()
        let records = [record]
        DeploymentMetrics.registerGauges(in: registry) { records }
        let text = registry.exposition()
        #expect(text.contains("hotswap_metrics_samples_dropped_total{metric=\"hotswap_deployment_state\"} 0\n"), "\(text)")
        #expect(text.contains("hotswap_metrics_samples_dropped_total{metric=\"hotswap_deployment_active_wave\"} 0\n"))
        #expect(text.contains("module=\"\(longest)\",state=\"running\"} 1\n"))
    }

    @Test func theRegistryShowsTheGaugesAndPromtoolAcceptsIt() throws {
        let registry = MetricsRegistry()
        let counters = DeploymentMetrics(metrics: registry, countingAfter: 0)
        DeploymentMetrics.registerGauges(in: registry) { Self.deployments }
        for entry in DeploymentMetricsLog().entries {
            if let outcome = entry.outcome { counters.count(entry.command, outcome, at: entry.index) }
        }
        let text = registry.exposition()
        #expect(text.contains("hotswap_deployment_state{environment=\"production\",id=\"a\",module=\"web\",state=\"running\"} 1\n"))
        #expect(text.contains("hotswap_deployment_active_wave{environment=\"production\",id=\"a\",module=\"web\"} 1\n"))
        #expect(!text.contains("hotswap_deployment_active_wave{environment=\"production\",id=\"b\""), "no wave active, no series")
        #expect(!text.contains("id=\"c\""), "a finished deployment is counted, not listed")
        #expect(text.contains("hotswap_deployment_finished_total{state=\"rolled_back\"} 1\n"))

        try Prerequisite.requireTools("promtool")
        let result = try ExternalCommand.run(["promtool", "check", "metrics"], input: Data(text.utf8))
        #expect(result.status == 0 && result.combined.isEmpty, "promtool: \(result.combined)")
    }
}
