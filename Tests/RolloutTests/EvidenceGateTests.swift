import Rollout
import Testing

/// The evidence behind a decision: the wave-level counts and its plain-text lines.
@Suite struct EvidenceGateTests {
    let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)

    @Test func proceedingWaveIsOneSummaryAndOneAllClearLine() {
        let decisions = script.run(script.uniformPolls([41, 42, 41, 42], waveSize: 3, control: 40))
        let evidence = script.evidence(decisions, at: 3)
        #expect(evidence.lines == [
            "poll 4 of 60, 2 min after the installs: proceed (stable); stable polls in a row 3 of 3; nodes without data 0 of 3 (allowed 0)",
            "every node: host CPU % settled, not regressed, under any ceiling",
        ])
        #expect(evidence.consecutiveStable == 3 && evidence.consecutiveStableWanted == 3)
        #expect(!evidence.baselineWindowShort && evidence.hasControlGroup && evidence.controlNodes == 5)
    }

    /// The all-clear line names only the metrics judged; a metric with a baseline and no value gets its own line.
    @Test func allClearNamesTheMetricsJudgedAndMissingValuesAreSaid() {
        let both = MetricValues([.hostCPU: 40, .moduleMemory: 100])
        let script = GateScript(baseline: GateBaseline(nodes: [both], control: both, windowMilliseconds: 120_000, controlNodes: 2))
        let full = script.run((1...4).map { script.poll($0, [NodeReading(values: both)], control: both) })
        #expect(script.evidence(full, at: 3).lines.last
            == "every node: host CPU %, module memory MiB settled, not regressed, under any ceiling")
        let hostOnly = MetricValues([.hostCPU: 40])
        let partial = script.run((1...2).map { script.poll($0, [NodeReading(values: hostOnly)], control: both) })
        #expect(script.evidence(partial, at: 1).lines.last == "node 0 module memory MiB: none; baseline 100: no value in this poll")
    }

    @Test func firstPollIsNotSettledForEveryNode() {
        let decisions = script.run(script.uniformPolls([41], waveSize: 3, control: 40))
        let lines = script.evidence(decisions, at: 0).lines
        #expect(lines.count == 4)
        #expect(lines[1] == "node 0 host CPU %: 41; no previous value: not settled; baseline 40, control +0, net +1 within 4: "
            + "not regressed; under the ceiling of 80")
    }

    @Test func shortBaselineWindowIsSaid() {
        var short = script
        short.baseline.windowMilliseconds = 90_000
        let decisions = short.run(short.uniformPolls([41], waveSize: 3, control: 40))
        let evidence = short.evidence(decisions, at: 0)
        #expect(evidence.baselineWindowShort)
        #expect(evidence.lines[1] == "baseline: samples over 1 min 30 s only, less than the minimum wait of 2 min")
    }

    @Test func pollCountRoundsTheMaximumWaitUp() {
        var settings = GateSettings()
        settings.pollIntervalMilliseconds = 7_000
        let odd = GateScript(settings: settings, waveSize: 1, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = odd.run(odd.uniformPolls([41, 41], waveSize: 1, control: 40))
        #expect(odd.evidence(decisions, at: 1).pollsMaximum == 258)
        #expect(odd.evidence(decisions, at: 1).lines[0].hasPrefix("poll 2 of 258, 14 s after the installs: wait (settling)"))
    }

    @Test func figuresAreRoundedToOneDecimal() {
        let values = { (latency: Double) in MetricValues([.probeLatency: latency]) }
        let script = GateScript(baseline: GateBaseline(nodes: [values(20.04)], control: values(20), windowMilliseconds: 120_000,
                                                       controlNodes: 2))
        let polls = [script.poll(1, [NodeReading(values: values(31.26))], control: values(19.96)),
                     script.poll(2, [NodeReading(values: values(31.26))], control: values(19.96))]
        let decisions = script.run(polls)
        #expect(script.evidence(decisions, at: 1).lines[1] == "node 0 probe latency ms: 31.3; was 31.3, change +0 within 4.7: settled; "
            + "baseline 20, control +0, net +11.3 beyond 3: regressed; failing polls in a row 2 of 3")
    }

    @Test func noDataStreakIsInTheSummary() {
        let decisions = script.run(script.cpuPolls([[41, nil, nil], [41, nil, nil]], control: [40, 40]))
        let evidence = script.evidence(decisions, at: 1)
        #expect(evidence.nodesWithoutData == 2 && evidence.noDataAllowance == 0)
        #expect(evidence.lines[0] == "poll 2 of 60, 1 min after the installs: wait (settling); stable polls in a row 0 of 3; "
            + "nodes without data 2 of 3 (allowed 0); polls in a row with too many without data 2 of 3")
        #expect(Array(evidence.lines.suffix(2)) == ["node 1: no data", "node 2: no data"])
    }

    @Test func evidenceOfAStoredDecisionMatchesTheDecision() {
        let decisions = script.run(script.cpuPolls([[48, 41, 41], [48, 41, 41], [48, 41, 41]], control: [40, 40, 40]))
        let evidence = script.evidence(decisions, at: 2)
        #expect(evidence.verdict == .fail && evidence.reason == .regressed)
        #expect(evidence.nodes.map(\.failingStreak) == decisions[2].failingStreaks)
        #expect(evidence.nodes.map(\.isStable) == [false, true, true])
        // The example in Docs/DEPLOYMENTS.md, "Evidence".
        #expect(evidence.lines == [
            "poll 3 of 60, 1 min 30 s after the installs: fail (regressed); stable polls in a row 0 of 3; nodes without data 0 of 3 "
                + "(allowed 0)",
            "node 0 host CPU %: 48; was 48, change +0 within 4.8: settled; baseline 40, control +0, net +8 beyond 4: regressed; "
                + "under the ceiling of 80; failing polls in a row 3 of 3",
        ])
    }
}
