import Rollout
import Testing

/// The control group nets fleet-wide changes out of the wave's: what every node does together is
/// not the new version's fault; what only the wave does is.
@Suite struct ControlGroupGateTests {
    let script = GateScript(waveSize: 4, baselineCPU: 50, controlBaselineCPU: 50)

    @Test func fleetWideTwentyPercentRiseDoesNotFailTheWave() {
        let decisions = script.run(script.uniformPolls([60, 60, 61, 60, 60], waveSize: 4, control: 60))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed, .proceed])
        #expect(decisions.allSatisfy { $0.failingStreaks == [0, 0, 0, 0] })
    }

    @Test func waveAloneRisingTwentyPercentFails() {
        let decisions = script.run(script.uniformPolls([60, 60, 61], waveSize: 4, control: 50))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
    }

    @Test func oneNodeAloneRisingFailsTheWave() {
        let decisions = script.run(script.cpuPolls([[50, 50, 60, 50], [51, 50, 61, 50], [50, 51, 60, 50]], control: [50, 50, 50]))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(decisions[2].failingStreaks == [0, 0, 3, 0])
    }

    @Test func controlFallingWhileTheWaveHoldsIsARegression() {
        // The fleet got quieter (control 50 → 40) but the wave stayed at 50: net +10 over a band of 5.
        let decisions = script.run(script.uniformPolls([50, 50, 50], waveSize: 4, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
    }

    @Test func withoutAControlGroupTheBaselineAloneJudges() {
        let alone = GateScript(waveSize: 2, baselineCPU: 50, controlBaselineCPU: nil)
        let rise = alone.run(alone.uniformPolls([60, 60, 60], waveSize: 2, control: nil))
        #expect(rise.outcomes == [.wait, .wait, .fail(.regressed)])
        let evidence = alone.evidence(rise, at: 2)
        #expect(!evidence.hasControlGroup && evidence.nodes[0].metrics[0].controlChange == nil)
        #expect(evidence.lines.contains("no control group: judged against the baseline alone"))
        #expect(evidence.lines.contains { $0.contains("baseline 50, no control, net +10 beyond 5: regressed") })
        let flat = alone.run(alone.uniformPolls([51, 50, 51, 50], waveSize: 2, control: nil))
        #expect(flat.outcomes == [.wait, .wait, .wait, .proceed])
    }

    @Test func aMetricTheControlLacksIsJudgedWithoutControl() {
        // The control group reports host CPU only; the module's CPU is judged against its baseline alone.
        let nodeBaseline = MetricValues([.hostCPU: 50, .moduleCPU: 10])
        let script = GateScript(baseline: GateBaseline(nodes: [nodeBaseline], control: MetricValues([.hostCPU: 50]),
                                                       windowMilliseconds: 120_000, controlNodes: 3))
        let polls = (1...3).map { k in
            script.poll(k, [NodeReading(values: MetricValues([.hostCPU: 60, .moduleCPU: 10]))], control: MetricValues([.hostCPU: 60]))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .wait])
        let metrics = script.evidence(decisions, at: 2).nodes[0].metrics
        #expect(metrics[GateMetric.hostCPU.position].controlChange == 10)
        #expect(metrics[GateMetric.moduleCPU.position].controlChange == nil)
        #expect(metrics[GateMetric.moduleCPU.position].regression == .passed)
    }

    @Test func onOneMachineTheModuleMetricsDecide() {
        // Host CPU moves with the control group (one host for all); the module's own CPU rises alone.
        let values = { (host: Double, module: Double) in MetricValues([.hostCPU: host, .moduleCPU: module]) }
        let script = GateScript(baseline: GateBaseline(nodes: [values(30, 5), values(30, 5)], control: values(30, 5),
                                                       windowMilliseconds: 120_000, controlNodes: 2))
        let polls = (1...3).map { k in
            script.poll(k, [NodeReading(values: values(45, 20)), NodeReading(values: values(45, 20))], control: values(45, 5))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        let evidence = script.evidence(decisions, at: 2)
        #expect(evidence.nodes[0].metrics[GateMetric.hostCPU.position].regression == .passed)
        #expect(evidence.nodes[0].metrics[GateMetric.moduleCPU.position].outcome == .regressed)
        #expect(!evidence.lines.contains { $0.hasPrefix("node 0 host CPU %") })
        #expect(evidence.lines.contains { $0.hasPrefix("node 0 module CPU %: 20;") && $0.contains("control +0, net +15") })
    }
}
