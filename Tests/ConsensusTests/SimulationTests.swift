import Foundation
import Testing

@testable import Consensus

/// Runs the deterministic simulator over many seeds. `CONSENSUS_SEEDS=N` runs seeds 1...N
/// (default 2,000); `CONSENSUS_SEED=N` runs seed N alone with a full trace.
@Suite struct SimulationTests {
    static let shardCount = 8
    static let defaultSeedCount: UInt64 = 2_000
    static let failuresPerShardMaximum = 3

    static var seedPlan: (seeds: ClosedRange<UInt64>, verbose: Bool) {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["CONSENSUS_SEED"], let seed = UInt64(text) { return (seed...seed, true) }
        let count = environment["CONSENSUS_SEEDS"].flatMap { UInt64($0) } ?? defaultSeedCount
        return (1...max(1, count), false)
    }

    @Test(arguments: 0..<shardCount)
    func randomizedClustersKeepEveryInvariant(shard: Int) async {
        let plan = SimulationTests.seedPlan
        var failures = 0
        var totals = Simulator.Summary()
        var seedsRun = 0
        var slowestRecoveryMicros: Int64 = 0
        for seed in plan.seeds where Int(seed % UInt64(SimulationTests.shardCount)) == shard {
            let simulator = Simulator(seed: seed, verbose: plan.verbose)
            do {
                let summary = try simulator.run()
                seedsRun += 1
                totals.events += summary.events
                totals.committedValues += summary.committedValues
                totals.committedCalmValues += summary.committedCalmValues
                slowestRecoveryMicros = max(slowestRecoveryMicros, summary.calmRecoveryMicros ?? 0)
                if plan.verbose {
                    print("seed=\(seed) \(simulator.parameters): \(summary.events) events, \(summary.committedValues) values committed "
                          + "(\(summary.committedCalmValues) after faults), highest term \(summary.highestTerm)")
                }
            } catch {
                failures += 1
                let report = (["seed=\(seed) \(simulator.parameters)", "\(error)", "trace tail:"]
                    + simulator.traceTail + ["\(error)", "replay with CONSENSUS_SEED=\(seed)"]).joined(separator: "\n")
                print(report)
                Issue.record(Comment(rawValue: "seed=\(seed): \(error) — replay with CONSENSUS_SEED=\(seed)"))
                if failures >= SimulationTests.failuresPerShardMaximum { break }
            }
        }
        print("simulation shard \(shard): \(seedsRun) seeds passed, \(totals.events) events, \(totals.committedValues) values committed, "
              + "slowest recovery after the faults \(slowestRecoveryMicros / 1000) ms")
    }

    @Test func sameSeedReplaysExactly() throws {
        let first = Simulator(seed: 42, verbose: false)
        let second = Simulator(seed: 42, verbose: false)
        let firstSummary = try first.run()
        let secondSummary = try second.run()
        #expect(firstSummary.events == secondSummary.events)
        #expect(firstSummary.committedValues == secondSummary.committedValues)
        #expect(first.traceTail == second.traceTail)
        #expect(first.checker.reference == second.checker.reference)
    }
}
