import Rollout
import Testing

/// Noisy metrics: jitter of ±8 % poll to poll settles, ±20 % never does and fails at the maximum
/// wait with its evidence. The seeded cases replay exactly from their seed.
@Suite struct NoisyMetricsGateTests {
    let script = GateScript(waveSize: 3, baselineCPU: 40, controlBaselineCPU: 40)

    @Test func eightPercentJitterSettlesAndProceeds() {
        let decisions = script.run(script.uniformPolls([40, 43.2, 40, 43.2], waveSize: 3, control: 40))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed])
    }

    @Test(arguments: 1...50 as ClosedRange<UInt64>)
    func seededJitterWithinEightPercentProceedsAtPollFour(seed: UInt64) {
        var random = SeededRandom(state: seed)
        // Each node within ±4 % of 40: poll to poll at most 8 % apart, never more than 4 % over the baseline.
        let cpu = (0..<4).map { _ in (0..<3).map { _ -> Double? in 40 * Double.random(in: 0.96...1.04, using: &random) } }
        let decisions = script.run(script.cpuPolls(cpu, control: [40, 40, 40, 40]))
        #expect(decisions.outcomes == [.wait, .wait, .wait, .proceed], "seed \(seed)")
    }

    @Test func twentyPercentJitterNeverSettlesAndFailsAtTheMaximumWait() {
        let cpu = (0..<60).map { $0 % 2 == 0 ? 44.0 : 36.0 }
        let decisions = script.run(script.uniformPolls(cpu, waveSize: 3, control: 40))
        #expect(decisions.outcomes == Array(repeating: .wait, count: 59) + [.fail(.maximumWait)])
        let evidence = script.evidence(decisions, at: 59)
        #expect(evidence.nodes.allSatisfy { $0.metrics[0].outcome == .notSettled })
        #expect(evidence.lines.count == 4)
        #expect(evidence.lines[1] == "node 0 host CPU %: 36; was 44, change -8 beyond 4.4: not settled; baseline 40, control +0, "
            + "net -4 within 4: not regressed; under the ceiling of 80")
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func seededJitterOverTwentyPercentFailsAtTheMaximumWait(seed: UInt64) {
        var random = SeededRandom(state: seed)
        // Up 10–20 % then down 10–20 %, alternately: every change beyond the 10 % band; the ups that
        // regress are never three in a row, so only the maximum wait can end the wave.
        let cpu = (0..<60).map { k in
            (0..<3).map { _ -> Double? in
                let swing = Double.random(in: 0.1...0.2, using: &random)
                return 40 * (k % 2 == 0 ? 1 + swing : 1 - swing)
            }
        }
        let decisions = script.run(script.cpuPolls(cpu, control: Array(repeating: 40, count: 60)))
        #expect(decisions.outcomes == Array(repeating: .wait, count: 59) + [.fail(.maximumWait)], "seed \(seed)")
        #expect(decisions.allSatisfy { $0.failingStreaks.allSatisfy { $0 <= 1 } }, "seed \(seed)")
        #expect(script.evidence(decisions, at: 59).lines.dropFirst().allSatisfy { $0.contains("not settled") }, "seed \(seed)")
    }
}
