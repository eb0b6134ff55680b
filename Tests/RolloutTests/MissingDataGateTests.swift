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

    @Test func metricAbsentFromTheReadingIsNotJudged() {
        let baseline = GateBaseline(nodes: [MetricValues([.hostCPU: 40, .probeLatency: 20])], control: .empty,
                                    windowMilliseconds: 120_000)
        let script = GateScript(baseline: baseline)
        let polls = (1...4).map { k in script.poll(k, [NodeReading(values: MetricValues([.hostCPU: 41]))]) }
        let decisions = script.run(polls)
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        let latency = script.evidence(decisions, at: 3).nodes[0].metrics[GateMetric.probeLatency.position]
        #expect(latency.outcome == .notJudged && latency.settled == .notJudged && latency.regression == .notJudged)
        #expect(latency.baseline == 20 && latency.value == nil)
    }

    @Test func nodeWithoutABaselineIsNotJudgedForRegression() {
        let baseline = GateBaseline(nodes: [MetricValues([.hostCPU: 40]), nil], control: MetricValues([.hostCPU: 40]),
                                    windowMilliseconds: 120_000, controlNodes: 3)
        let script = GateScript(baseline: baseline)
        let decisions = script.run(script.cpuPolls(Array(repeating: [41, 70], count: 4), control: [40, 40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
        let evidence = script.evidence(decisions, at: 3)
        #expect(evidence.nodes[1].metrics[0].regression == .notJudged)
        #expect(evidence.lines.contains("node 1 host CPU %: 70; was 70, change +0 within 7: settled; no baseline: rise not judged; "
            + "under the ceiling of 80"))
    }
}
