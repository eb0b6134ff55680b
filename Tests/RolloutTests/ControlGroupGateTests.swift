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

    /// Review case (a): two of the quiet control nodes fall silent; the control's membership changes
    /// but no control node changed, so the wave node's rise of 35 is its own.
    @Test func controlNodesFallingSilentHideNoRegression() {
        let cpu = { (value: Double) in MetricValues([.hostCPU: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [cpu(40)], control: [10, 10, 10, 70, 70].map(cpu),
                                                       windowMilliseconds: 120_000))
        let polls = (1...3).map { k in
            script.poll(k, [NodeReading(values: cpu(75))], controlNodes: [nil, nil, cpu(10), cpu(70), cpu(70)])
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(script.evidence(decisions, at: 2).nodes[0].metrics[0].controlChange == 0)
    }

    /// Review case (b): a one-node control (a 2-node canary's first wave) whose node runs a batch job
    /// is no control at all: the wave node is judged against its baseline alone.
    @Test func aSingleControlNodeIsNoControl() {
        let cpu = { (value: Double) in MetricValues([.hostCPU: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [cpu(40)], control: [cpu(30)], windowMilliseconds: 120_000))
        let decisions = script.run((1...3).map { script.poll($0, [NodeReading(values: cpu(65))], controlNodes: [cpu(60)]) })
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        let evidence = script.evidence(decisions, at: 2)
        #expect(!evidence.hasControlGroup && evidence.controlNodes == 1)
        #expect(evidence.lines.contains { $0.hasPrefix("no control: fewer than 2 of the 1 control nodes") })
        #expect(evidence.lines.contains { $0.contains("baseline 40, no control, net +25 beyond 4: regressed") })
    }

    /// Review case (c), the "all nodes rising 20 % together must not fail a wave", with the
    /// wave's nodes at 60 % and the control's at 20 %: the control's relative change, applied to the
    /// wave's baseline, nets the whole rise.
    @Test func aTwentyPercentRiseEverywhereProceedsWhateverEachNodesLevel() {
        let cpu = { (value: Double) in MetricValues([.hostCPU: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [cpu(60), cpu(60)], control: Array(repeating: cpu(20), count: 3),
                                                       windowMilliseconds: 120_000))
        let polls = (1...4).map { k in
            script.poll(k, [NodeReading(values: cpu(72)), NodeReading(values: cpu(72))], controlNodes: Array(repeating: cpu(24), count: 3))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        let metric = script.evidence(decisions, at: 3).nodes[0].metrics[0]
        #expect(metric.controlChange == 12 && metric.netRise == 0)
    }

    /// A control node whose baseline is below the metric's floor contributes its absolute change:
    /// +2 points, not 200 % of the wave node's 40.
    @Test func aControlNodeBelowTheFloorContributesItsAbsoluteChange() {
        let cpu = { (value: Double) in MetricValues([.hostCPU: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [cpu(40)], control: Array(repeating: cpu(1), count: 3),
                                                       windowMilliseconds: 120_000))
        let polls = (1...3).map { script.poll($0, [NodeReading(values: cpu(47))], controlNodes: Array(repeating: cpu(3), count: 3)) }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(script.evidence(decisions, at: 2).nodes[0].metrics[0].controlChange == 2)
    }

    /// The median of the control nodes' changes: one node's batch job does not move it.
    @Test func oneBusyControlNodeDoesNotMoveTheMedian() {
        let cpu = { (value: Double) in MetricValues([.hostCPU: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [cpu(40)], control: Array(repeating: cpu(40), count: 3),
                                                       windowMilliseconds: 120_000))
        let polls = (1...3).map { script.poll($0, [NodeReading(values: cpu(48))], controlNodes: [cpu(40), cpu(41), cpu(80)]) }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(script.evidence(decisions, at: 2).nodes[0].metrics[0].controlChange == 1)
    }
}
