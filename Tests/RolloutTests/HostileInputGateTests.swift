import Rollout
import Testing

/// Inputs the gate's callers should never produce still get a defined decision, never a trap:
/// arrays of different lengths, values that are not finite, an empty wave, settings outside their bounds.
@Suite struct HostileInputGateTests {
    let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)

    func reading(_ values: [GateMetric: Double]) -> NodeReading { NodeReading(values: MetricValues(values)) }

    @Test func baselineShorterOrLongerThanTheWave() {
        var short = script
        short.baseline.nodes = [MetricValues([.hostCPU: 40])]
        // Nodes 1 and 2 have no baseline of their own: they are judged against the wave's (40).
        let decisions = short.run(short.cpuPolls(Array(repeating: [41, 70, 70], count: 3), control: [40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(short.evidence(decisions, at: 2).nodes.map { $0.metrics[0].regression } == [.passed, .failed, .failed])
        #expect(short.evidence(decisions, at: 2).nodes.map { $0.metrics[0].baselineFromWave } == [false, true, true])
        var long = script
        long.baseline.nodes += Array(repeating: MetricValues([.hostCPU: 1]), count: 5)
        #expect(long.run(long.uniformPolls([41, 42, 41, 42], waveSize: 3, control: 40)).outcomes == [.wait, .wait, .wait, .proceed])
    }

    @Test func previousDecisionOfAnotherSize() {
        let previous = GateDecision(poll: script.poll(2, [reading([.hostCPU: 48])]), verdict: .wait, reason: .settling,
                                    consecutiveStable: 0, failingStreaks: [], consecutiveNoData: 0)
        let next = script.cpuPolls([[48, 41, 41], [48, 41, 41], [48, 41, 41]], control: [40, 40, 40]).map {
            var poll = $0
            poll.index += 2
            poll.elapsedMilliseconds += 60_000
            return poll
        }
        let decisions = script.run(next, from: previous)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(decisions.map(\.failingStreaks) == [[1, 0, 0], [2, 0, 0], [3, 0, 0]])
        let wider = GateDecision(poll: script.poll(1, [nil, nil, nil, nil, nil]), verdict: .wait, reason: .settling,
                                 consecutiveStable: 0, failingStreaks: [9, 9, 9, 9, 9], consecutiveNoData: 1)
        let after = script.run([script.poll(2, [reading([.hostCPU: 41])])], from: wider)
        #expect(after.map(\.failingStreaks) == [[0]] && after.outcomes == [.wait])
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func valuesThatAreNotFiniteAreAbsent(bad: Double) {
        let polls = (1...3).map { k in
            script.poll(k, [reading([.hostCPU: 41]), reading([.hostCPU: bad]), reading([.hostCPU: 41, .hostMemory: bad])],
                        control: MetricValues([.hostCPU: bad]))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.noData)])
        let evidence = script.evidence(decisions, at: 2)
        #expect(evidence.nodes.map(\.hasData) == [true, false, true])
        #expect(evidence.nodes[0].metrics[0].controlChange == nil)
        #expect(evidence.nodes[2].metrics[GateMetric.hostMemory.position].outcome == .notJudged)
        var badBaseline = script
        badBaseline.baseline.nodes = [MetricValues([.hostCPU: bad])]
        badBaseline.baseline.control = Array(repeating: MetricValues([.hostCPU: bad]), count: 5)
        let unjudged = badBaseline.run(badBaseline.uniformPolls([41, 41, 41, 41], waveSize: 1, control: 40))
        #expect(unjudged.outcomes == [.wait, .wait, .wait, .proceed])
    }

    @Test func hugeValuesRegressWithoutTrapping() {
        var huge = script
        huge.baseline.nodes = [MetricValues([.moduleMemory: -1e308])]
        let polls = (1...3).map { k in huge.poll(k, [reading([.moduleMemory: 1e308])]) }
        let decisions = huge.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        let lines = huge.evidence(decisions, at: 2).lines
        #expect(lines.contains {
            $0.hasPrefix("node 0 module memory MiB: 1e+308;") && $0.contains("net +inf beyond 1") && $0.contains(": regressed")
        })
    }

    @Test func emptyWaveIsNeverStableAndFailsAtTheMaximumWait() {
        var settings = GateSettings()
        settings.minimumWaitMilliseconds = 30_000
        settings.maximumWaitMilliseconds = 90_000
        let empty = GateScript(settings: settings, waveSize: 0, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = empty.run((1...3).map { empty.poll($0, []) })
        #expect(decisions.outcomes == [.wait, .wait, .fail(.maximumWait)])
        #expect(decisions.allSatisfy { $0.failingStreaks.isEmpty && $0.consecutiveStable == 0 })
        #expect(empty.evidence(decisions, at: 2).lines[0].hasSuffix("; the wave has no nodes"))
    }

    @Test func elapsedBeyondEverythingOnTheFirstPoll() {
        var poll = script.poll(0, [reading([.hostCPU: 41])])
        poll.elapsedMilliseconds = .max
        #expect(script.run([poll]).outcomes == [.fail(.maximumWait)])
    }

    @Test func settingsOutsideTheirBoundsStillDecide() {
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = 0
        settings.consecutiveStable = 0
        settings.consecutiveFailing = 0
        settings.minimumWaitMilliseconds = 0
        settings.cpuBand.floor = .nan
        #expect(settings.refusal() != nil)
        let odd = GateScript(settings: settings, waveSize: 1, baselineCPU: 40, controlBaselineCPU: 40)
        let good = [1, 2].map { k in
            var poll = odd.poll(k, [reading([.hostCPU: 41])], control: MetricValues([.hostCPU: 40]))
            poll.elapsedMilliseconds = UInt64(k)  // a poll interval of 0 would leave every poll at 0 ms
            return poll
        }
        #expect(odd.run(good).outcomes == [.wait, .proceed])
        let bad = odd.poll(1, [reading([.hostCPU: 48])], control: MetricValues([.hostCPU: 40]))
        #expect(odd.run([bad]).outcomes == [.fail(.regressed)])
        #expect(StabilizationGate.evidence(settings: settings, baseline: odd.baseline, previous: nil,
                                           decision: odd.run([bad])[0]).pollsMaximum == 1_800_000)
    }
}
