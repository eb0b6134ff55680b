import Rollout
import Testing

/// Every row of the worked-examples table in the gate's design (defaults, poll interval 30 s, a wave
/// of three nodes at the same figure, baseline 40 % host CPU): the poll sequence through `decide`,
/// the verdicts compared as a whole sequence.
@Suite struct WorkedExamplesGateTests {
    let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)

    @Test func quietGoodVersionProceedsAtPollFour() {
        let decisions = script.run(script.uniformPolls([41, 42, 41, 42], waveSize: 3, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        #expect(decisions.map(\.consecutiveStable) == [0, 1, 2, 3])
    }

    @Test func fleetWideRiseIsNettedOutByTheControlGroup() {
        let decisions = script.run(script.uniformPolls([48, 49, 48, 49], waveSize: 3, control: 48))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        let rises = script.evidence(decisions, at: 2).nodes.map { $0.metrics[0].netRise }
        #expect(rises == [0, 0, 0])
    }

    @Test func regressionOfTheNewVersionFailsAtPollThree() {
        let decisions = script.run(script.uniformPolls([48, 49, 48], waveSize: 3, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(decisions.map(\.failingStreaks) == [[1, 1, 1], [2, 2, 2], [3, 3, 3]])
        let lines = script.evidence(decisions, at: 2).lines
        #expect(lines.contains("node 0 host CPU %: 48; was 49, change -1 within 4.9: settled; baseline 40, control +0, "
            + "net +8 beyond 4: regressed; under the ceiling of 80; failing polls in a row 3 of 3"))
    }

    @Test func noisyButFlatSettlesAndProceeds() {
        let decisions = script.run(script.uniformPolls([40, 43, 39, 42], waveSize: 3, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
    }

    @Test func neverSettlingFailsAtTheMaximumWaitAsNotSettled() {
        let cycle: [Double] = [40, 50, 38, 49]
        let cpu = (0..<60).map { cycle[$0 % 4] }
        let decisions = script.run(script.uniformPolls(cpu, waveSize: 3, control: 40))
        #expect(decisions.outcomes == Array(repeating: .wait, count: 59) + [.fail(.maximumWait)])
        #expect(decisions.allSatisfy { $0.consecutiveStable == 0 })
        let evidence = script.evidence(decisions, at: 59)
        #expect(evidence.pollIndex == 60 && evidence.pollsMaximum == 60)
        #expect(evidence.nodes.allSatisfy { $0.metrics[0].settled == .failed })
        #expect(evidence.lines[0].hasPrefix("poll 60 of 60, 30 min after the installs: fail (maximum wait passed)"))
        #expect(evidence.lines.contains { $0.hasPrefix("node 2 host CPU %: 49; was 38, change +11 beyond 3.8: not settled") })
    }

    @Test func improvementSettlesAfterTheDropAndNeverRegresses() {
        let decisions = script.run(script.uniformPolls([40, 30, 29, 30, 30], waveSize: 3, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .wait, .proceed])
        #expect(decisions.allSatisfy { $0.failingStreaks == [0, 0, 0] })
    }

    @Test func lowValuesAreJudgedWithTheFloors() {
        let low = GateScript(waveSize: 3, baselineCPU: 2, controlBaselineCPU: 2)
        let decisions = low.run(low.uniformPolls([2.0, 3.5, 3.0, 3.4], waveSize: 3, control: 2))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        let metric = low.evidence(decisions, at: 1).nodes[0].metrics[0]
        #expect(metric.settleBand == 2 && metric.regressionBand == 2)
    }

    @Test func latencyRiseBeyondItsBandRegresses() {
        let latency = { (value: Double) in MetricValues([.probeLatency: value]) }
        let script = GateScript(baseline: GateBaseline(nodes: [latency(20), latency(20)], control: latency(20),
                                                       windowMilliseconds: 120_000, controlNodes: 4))
        let polls = [24.0, 24, 25].enumerated().map { k, value in
            script.poll(k + 1, [NodeReading(values: latency(value)), NodeReading(values: latency(value))], control: latency(20))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        let metric = script.evidence(decisions, at: 2).nodes[1].metrics[GateMetric.probeLatency.position]
        #expect(metric.netRise == 5 && metric.regressionBand == 3 && metric.outcome == .regressed)
    }

    @Test func silentAgentFailsAsNoDataAfterThreePolls() {
        let decisions = script.run(script.cpuPolls([[41, 41, nil], [42, 42, nil], [41, 41, nil]], control: [40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.noData)])
        #expect(decisions.map(\.consecutiveNoData) == [1, 2, 3])
        #expect(decisions.map(\.consecutiveStable) == [0, 0, 0])
        #expect(script.evidence(decisions, at: 2).lines.contains("node 2: no data"))
    }

    @Test(arguments: [40.0, 82.0])
    func overTheCeilingFailsAfterThreePollsWhateverTheControl(control: Double) {
        let decisions = script.run(script.uniformPolls([82, 83, 81], waveSize: 3, control: control))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.ceiling)])
        let metric = script.evidence(decisions, at: 2).nodes[0].metrics[0]
        #expect(metric.underCeiling == .failed && metric.outcome == .overCeiling)
    }
}

extension GateMetric {
    /// Position of this metric in a node's evidence.
    var position: Int { GateMetric.allCases.firstIndex(of: self) ?? 0 }
}
