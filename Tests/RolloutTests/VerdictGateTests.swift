import Rollout
import Testing

/// The verdict rules beyond the table: probe failures, the minimum wait, streaks that reset or
/// saturate, the order of the checks when several apply, and resuming from a stored decision.
@Suite struct VerdictGateTests {
    let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)

    func reading(_ cpu: Double, probeFailed: Bool = false) -> NodeReading {
        NodeReading(values: MetricValues([.hostCPU: cpu]), probeFailed: probeFailed)
    }

    @Test func failedProbeFailsAtOnce() {
        let poll = script.poll(1, [reading(41), reading(41, probeFailed: true), reading(41)], control: MetricValues([.hostCPU: 40]))
        #expect(script.run([poll]).outcomes == [.fail(.probeFailed)])
        let silent = script.poll(1, [reading(41), NodeReading(values: .empty, probeFailed: true), reading(41)])
        #expect(script.run([silent]).outcomes == [.fail(.probeFailed)])
    }

    @Test func failedProbeComesBeforeARegression() {
        var polls = script.uniformPolls([48, 48, 48], waveSize: 3, control: 40)
        polls[2].nodes[0]?.probeFailed = true
        #expect(script.run(polls).outcomes == [.wait, .wait, .fail(.probeFailed)])
    }

    @Test func ceilingComesBeforeRegressionAndRegressionBeforeNoData() {
        // Node 0 regressed twice and is over the ceiling at its third failing poll; node 1 only regressed.
        let mixed = script.run(script.cpuPolls([[48, 48, 41], [48, 48, 41], [85, 48, 41]], control: [40, 40, 40]))
        #expect(mixed.outcomes == [.wait, .wait, .fail(.ceiling)])
        let silentToo = script.run(script.cpuPolls([[48, 41, nil], [48, 41, nil], [48, 41, nil]], control: [40, 40, 40]))
        #expect(silentToo.outcomes == [.wait, .wait, .fail(.regressed)])
        #expect(silentToo[2].consecutiveNoData == 3)
    }

    @Test func minimumWaitHoldsAStableWave() {
        var settings = GateSettings()
        settings.minimumWaitMilliseconds = 300_000
        let patient = GateScript(settings: settings, waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)
        let decisions = patient.run(patient.uniformPolls(Array(repeating: 41, count: 10), waveSize: 3, control: 40))
        #expect(decisions.outcomes == Array(repeating: .wait, count: 9) + [.proceed])
        #expect(decisions[8].consecutiveStable == 8)
    }

    @Test func unstablePollResetsTheStableCount() {
        let decisions = script.run(script.uniformPolls([41, 42, 41, 36, 36, 36, 36], waveSize: 3, control: 40))
        #expect(decisions.map(\.consecutiveStable) == [0, 1, 2, 0, 1, 2, 3])
        #expect(decisions.outcomes == Array(repeating: .wait, count: 6) + [.proceed])
    }

    @Test func stableAtTheMaximumWaitProceedsAndUnstableFails() {
        var settings = GateSettings()
        settings.maximumWaitMilliseconds = 120_000
        let short = GateScript(settings: settings, waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)
        #expect(short.run(short.uniformPolls([41, 41, 41, 41], waveSize: 3, control: 40)).outcomes == [.wait, .wait, .wait, .proceed])
        let unsettled = short.run(short.uniformPolls([41, 41, 41, 36], waveSize: 3, control: 40))
        #expect(unsettled.outcomes == [.wait, .wait, .wait, .fail(.maximumWait)])
    }

    @Test func improvementNeverFails() {
        let decisions = script.run(script.uniformPolls([40, 5, 5, 5, 5], waveSize: 3, control: 60))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .wait, .proceed])
        #expect(decisions.allSatisfy { $0.failingStreaks == [0, 0, 0] })
        #expect(script.evidence(decisions, at: 4).nodes[0].metrics[0].netRise == -55)
    }

    @Test func resumingFromAStoredDecisionEqualsContinuingInMemory() {
        let polls = script.cpuPolls([[41, 48, nil], [42, 48, 41], [36, 40, 41], [36, 41, 41], [37, 41, 41], [36, 41, 41]],
                                    control: [40, 40, 44, 44, 44, 44])
        let inMemory = script.run(polls)
        #expect(inMemory.outcomes == [.wait, .wait, .wait, .wait, .wait, .proceed])
        for split in inMemory.indices.dropLast() {
            let stored = inMemory[split]
            let restored = GateDecision(poll: stored.poll, verdict: stored.verdict, reason: stored.reason,
                                        consecutiveStable: stored.consecutiveStable, failingStreaks: stored.failingStreaks,
                                        consecutiveNoData: stored.consecutiveNoData)
            let resumed = script.run(Array(polls[(split + 1)...]), from: restored)
            #expect(resumed == Array(inMemory[(split + 1)...]), "resumed after poll \(split + 1)")
        }
    }

    /// Finding 5: a decision of another wave (poll 9, three stable polls) given with a wave's first poll is ignored.
    @Test func previousIsIgnoredOnTheFirstPoll() {
        var settings = GateSettings()
        settings.minimumWaitMilliseconds = 30_000
        let quick = GateScript(settings: settings, waveSize: 1, baselineCPU: 40, controlBaselineCPU: 40)
        let other = GateDecision(poll: quick.poll(9, [reading(41)], control: MetricValues([.hostCPU: 40])), verdict: .wait,
                                 reason: .settling, consecutiveStable: 3, failingStreaks: [0], consecutiveNoData: 0)
        let first = quick.run([quick.poll(1, [reading(41)], control: MetricValues([.hostCPU: 40]))], from: other)
        #expect(first.outcomes == [.wait] && first[0].consecutiveStable == 0)
        let evidence = StabilizationGate.evidence(settings: settings, baseline: quick.baseline, previous: other, decision: first[0])
        #expect(evidence.nodes[0].metrics[0].previous == nil && evidence.nodes[0].metrics[0].settled == .failed)
    }

    /// Finding 5: the same window fed in again is not a new poll: it waits and advances no streak.
    @Test func aPollNotAfterThePreviousAdvancesNoStreak() {
        let decisions = script.run(script.uniformPolls([41, 41, 41, 41], waveSize: 3, control: 40))
        let fourth = decisions[3]
        #expect(fourth.consecutiveStable == 3 && fourth.verdict == .proceed)
        let third = decisions[2]
        let again = script.run([third.poll, third.poll, third.poll], from: third)
        #expect(again.outcomes == [.wait, .wait, .wait])
        #expect(again.map(\.consecutiveStable) == [2, 2, 2])
        var earlier = decisions[3].poll
        earlier.elapsedMilliseconds = third.poll.elapsedMilliseconds
        let sameTime = script.run([earlier], from: third)
        #expect(sameTime.outcomes == [.wait] && sameTime[0].consecutiveStable == 2)
    }

    @Test func streaksSaturateAtTheirMaximum() {
        var settings = GateSettings()
        settings.consecutiveStable = 20
        settings.minimumWaitMilliseconds = settings.maximumWaitMilliseconds
        let long = GateScript(settings: settings, waveSize: 2, baselineCPU: 40, controlBaselineCPU: 40)
        let previousPoll = long.poll(300, [reading(41), reading(41)])
        let previous = GateDecision(poll: previousPoll, verdict: .wait, reason: .settling, consecutiveStable: .max,
                                    failingStreaks: [.max, .max], consecutiveNoData: .max)
        let stable = StabilizationGate.decide(settings: settings, baseline: long.baseline, previous: previous,
                                              poll: long.poll(301, [reading(41), reading(41)]))
        #expect(stable.consecutiveStable == .max && stable.failingStreaks == [0, 0] && stable.consecutiveNoData == 0)
        let failing = StabilizationGate.decide(settings: settings, baseline: long.baseline, previous: previous,
                                               poll: long.poll(301, [reading(48), nil]))
        #expect(failing.failingStreaks == [.max, .max] && failing.consecutiveNoData == .max && failing.consecutiveStable == 0)
        #expect(Outcome(verdict: failing.verdict, reason: failing.reason) == .fail(.regressed))
    }
}
