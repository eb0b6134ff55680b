import Rollout
import Testing

/// Missing data: a silent agent is not a bad metric and not a good one. It is not judged, it counts
/// against the no-data allowance, and too many silent nodes for long enough fail as "no data".
@Suite struct MissingDataGateTests {
    static func allowing(_ nodes: UInt32?) -> GateSettings {
        var settings = GateSettings()
        settings.noDataMaximumNodes = nodes
        return settings
    }

    @Test func silentNodeWithinTheAllowanceIsNotCounted() {
        let script = GateScript(settings: Self.allowing(1), waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = script.run(script.cpuPolls([[41, nil, 41], [42, nil, 42], [41, nil, 41], [42, nil, 42]],
                                                   control: [40, 40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        #expect(decisions.map(\.consecutiveNoData) == [0, 0, 0, 0])
    }

    @Test(arguments: [(2, [Outcome.wait, .wait, .wait, .proceed]), (3, [.wait, .wait, .fail(.noData)])])
    func waveOverTwentyNodesAllowsTenPercentSilent(silent: Int, expected: [Outcome]) {
        let script = GateScript(waveSize: 21, baselineCPU: 40, controlBaselineCPU: 40)
        let row = { (value: Double) in (0..<21).map { $0 < silent ? nil : value } as [Double?] }
        let decisions = script.run(script.cpuPolls([row(41), row(42), row(41), row(42)].prefix(expected.count).map { $0 },
                                                   control: [40, 40, 40, 40]))
        #expect(decisions.outcomes == expected)
    }

    @Test func silenceThatEndsResetsTheNoDataStreak() {
        let script = GateScript(waveSize: 2, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = script.run(script.cpuPolls([[41, nil], [41, nil], [41, 41], [41, nil], [41, 41]], control: [40, 40, 40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .wait, .wait])
        #expect(decisions.map(\.consecutiveNoData) == [1, 2, 0, 1, 0])
    }

    @Test func readingWithoutAnyValueIsNoData() {
        let script = GateScript(waveSize: 2, baselineCPU: 40, controlBaselineCPU: 40)
        let polls = (1...3).map { k in
            script.poll(k, [NodeReading(values: MetricValues([.hostCPU: 41])), NodeReading(values: .empty)],
                        control: MetricValues([.hostCPU: 40]))
        }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .fail(.noData)])
        let silent = script.evidence(decisions, at: 1).nodes[1]
        #expect(!silent.hasData && silent.metrics.map(\.outcome) == Array(repeating: .noData, count: GateMetric.allCases.count))
        #expect(silent.metrics[0].baseline == 40 && silent.metrics[0].settled == .notJudged)
    }

    @Test func silenceNeitherExtendsNorBreaksAFailingStreak() {
        let script = GateScript(settings: Self.allowing(1), waveSize: 2, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = script.run(script.cpuPolls([[48, 40], [48, 40], [nil, 40], [48, 40]], control: [40, 40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .fail(.regressed)])
        #expect(decisions.map(\.failingStreaks) == [[1, 0], [2, 0], [2, 0], [3, 0]])
    }

    @Test func nodeBackFromSilenceIsNotSettledOnItsFirstPollBack() {
        let script = GateScript(settings: Self.allowing(1), waveSize: 2, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = script.run(script.cpuPolls([[41, nil], [41, nil], [41, 41], [41, 41], [41, 41], [41, 41]],
                                                   control: Array(repeating: 40, count: 6)))
        #expect(decisions.map(\.consecutiveStable) == [0, 1, 0, 1, 2, 3])
        #expect(decisions.outcomes == [.wait, .wait, .wait, .wait, .wait, .proceed])
        let lines = script.evidence(decisions, at: 2).lines
        #expect(lines.contains { $0.hasPrefix("node 1 host CPU %: 41; no previous value: not settled; baseline 40") })
    }

    static let running = MetricValues([.hostCPU: 40, .moduleCPU: 5, .moduleMemory: 100, .probeLatency: 20])

    /// The review's crash case: the module's process is gone, so its samples carry host figures only.
    @Test func moduleAbsentFromEverySampleFailsAtOnce() {
        let script = GateScript(baseline: GateBaseline(nodes: [Self.running], windowMilliseconds: 120_000))
        let crashed = NodeReading(values: MetricValues([.hostCPU: 38]), samples: 30, samplesWithoutModule: 30)
        let decisions = script.run((1...4).map { script.poll($0, [crashed]) })
        #expect(decisions.outcomes == [.fail(.moduleDown), .fail(.moduleDown), .fail(.moduleDown), .fail(.moduleDown)])
        let evidence = script.evidence(decisions, at: 0)
        #expect(evidence.nodes[0].moduleAbsent && !evidence.nodes[0].isStable)
        #expect(evidence.lines.contains("node 0: module not running: in none of the window's 30 samples"))
        #expect(evidence.lines.contains("node 0 probe latency ms: none; baseline 20: no value in this poll"))
        #expect(!evidence.lines.contains { $0.hasPrefix("every node") })
    }

    @Test func moduleThatDisappearsAfterTheInstallFailsTheWave() {
        let script = GateScript(baseline: GateBaseline(nodes: [Self.running, Self.running], windowMilliseconds: 120_000))
        let up = NodeReading(values: MetricValues([.hostCPU: 41, .moduleCPU: 5, .moduleMemory: 100, .probeLatency: 20]), samples: 30)
        let down = NodeReading(values: MetricValues([.hostCPU: 38]), samples: 30, samplesWithoutModule: 30)
        let decisions = script.run([script.poll(1, [up, up]), script.poll(2, [up, up]), script.poll(3, [up, down])])
        #expect(decisions.outcomes == [.wait, .wait, .fail(.moduleDown)])
        #expect(GateReason.moduleDown.rawValue == 8 && "\(GateReason.moduleDown)" == "module not running")
    }

    @Test func moduleMissingFromSomeSamplesIsNotStable() {
        let script = GateScript(baseline: GateBaseline(nodes: [Self.running], windowMilliseconds: 120_000))
        let values = MetricValues([.hostCPU: 41, .moduleCPU: 5, .moduleMemory: 100, .probeLatency: 20])
        let readings = [0, 0, 3, 0, 0, 0].map { NodeReading(values: values, samples: 30, samplesWithoutModule: $0) }
        let decisions = script.run(readings.enumerated().map { script.poll($0.offset + 1, [$0.element]) })
        #expect(decisions.map(\.consecutiveStable) == [0, 1, 0, 1, 2, 3])
        #expect(decisions.outcomes == [.wait, .wait, .wait, .wait, .wait, .proceed])
        #expect(script.evidence(decisions, at: 2).lines.contains("node 0: module missing from 3 of 30 samples: not stable"))
    }

    @Test func nodeWithoutABaselineIsJudgedAgainstTheWaveBaseline() {
        let baseline = GateBaseline(nodes: [MetricValues([.hostCPU: 40]), nil], control: MetricValues([.hostCPU: 40]),
                                    windowMilliseconds: 120_000, controlNodes: 3)
        let script = GateScript(baseline: baseline)
        let decisions = script.run(script.cpuPolls(Array(repeating: [41, 70], count: 3), control: [40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.regressed)])
        let evidence = script.evidence(decisions, at: 2)
        #expect(evidence.nodes[1].metrics[0].baselineFromWave && evidence.nodes[1].metrics[0].regression == .failed)
        #expect(evidence.lines.contains("node 1 host CPU %: 70; was 70, change +0 within 7: settled; wave baseline 40, control +0, "
            + "net +30 beyond 4: regressed; under the ceiling of 80; failing polls in a row 3 of 3"))
    }

    /// Finding 3: node 0 regressed in polls 1 and 2, then went silent inside the allowance.
    @Test func silentNodeThatWasFailingKeepsTheWaveFromBeingStable() {
        let script = GateScript(waveSize: 21, baselineCPU: 40, controlBaselineCPU: 40)
        let row = { (first: Double?, rest: Double) in [first] + Array(repeating: rest, count: 20) as [Double?] }
        let decisions = script.run(script.cpuPolls([row(48, 41), row(48, 42), row(nil, 41), row(nil, 42), row(nil, 41), row(nil, 42)],
                                                   control: Array(repeating: 40, count: 6)))
        #expect(decisions.outcomes == Array(repeating: .wait, count: 6))
        #expect(decisions.map(\.consecutiveStable) == [0, 0, 0, 0, 0, 0])
        #expect(decisions.map { $0.failingStreaks[0] } == [1, 2, 2, 2, 2, 2])
    }

    /// Nit 11: the metric that failed the node has no value in poll 3; the streak holds.
    @Test func failingStreakHoldsWhileTheFailingMetricHasNoValue() {
        let baseline = GateBaseline(nodes: [MetricValues([.hostCPU: 40, .probeLatency: 20])], windowMilliseconds: 120_000)
        let script = GateScript(baseline: baseline)
        let slow = NodeReading(values: MetricValues([.hostCPU: 40, .probeLatency: 30]))
        let unprobed = NodeReading(values: MetricValues([.hostCPU: 40]))
        let decisions = script.run([script.poll(1, [slow]), script.poll(2, [slow]), script.poll(3, [unprobed]), script.poll(4, [slow])])
        #expect(decisions.map(\.failingStreaks) == [[1], [2], [2], [3]])
        #expect(decisions.outcomes == [.wait, .wait, .wait, .fail(.regressed)])
        let healthy = script.run([script.poll(1, [unprobed]), script.poll(2, [unprobed])])
        #expect(healthy.map(\.failingStreaks) == [[0], [0]])
    }

    /// Nit 12: an explicit allowance never covers the whole wave, so a wave with no node reporting fails "no data".
    @Test func explicitAllowanceIsCappedBelowTheWaveSize() {
        #expect(Self.allowing(5).noDataAllowance(waveSize: 3) == 2)
        #expect(Self.allowing(5).noDataAllowance(waveSize: 0) == 0)
        let script = GateScript(settings: Self.allowing(5), waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = script.run(script.cpuPolls(Array(repeating: [nil, nil, nil], count: 3), control: [40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .fail(.noData)])
    }
}
