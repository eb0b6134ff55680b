/// Cuts an environment's nodes into a deployment's waves (Docs/DEPLOYMENTS.md, "Strategies").
/// Pure: the same nodes, strategy and parameters always give the same waves.
///
/// Every node is in exactly one wave, in the order given (callers sort node ids), no wave is
/// empty, and an empty fleet gives no waves. A node id given twice is planned once, where it
/// first appears. `direct` and `blueGreen` are one wave of every node; `rolling` cuts batches of
/// `rollingBatchSize` nodes (nil: a quarter of the fleet, rounded up), the last batch what is left;
/// `canary` ends its wave k at ⌈percent_k × n / 100⌉ nodes, but at least one node past the wave
/// before while nodes remain. Parameters that `StrategyParameters.refusal()` refuses still give a
/// plan: a batch of 0 is a batch of 1, canary steps that fall or repeat still add a node each, steps
/// over 100 % stop at the fleet, and nodes left after the last step (or with no steps) form one
/// last wave.
public enum WavePlanner {
    public static func plan(nodes: [String], strategy: RolloutStrategy, parameters: StrategyParameters) -> [[String]] {
        let distinct = distinctInOrder(nodes)
        guard !distinct.isEmpty else { return [] }
        let ends: [Int]
        switch strategy {
        case .direct, .blueGreen: ends = [distinct.count]
        case .rolling: ends = rollingEnds(count: distinct.count, batchSize: parameters.rollingBatchSize)
        case .canary: ends = canaryEnds(count: distinct.count, percents: parameters.canaryPercents)
        }
        var waves: [[String]] = []
        var start = 0
        for end in ends {
            waves.append(Array(distinct[start..<end]))
            start = end
        }
        return waves
    }

    /// Where each rolling wave ends, counted in nodes: every `batchSize` nodes, then the rest.
    static func rollingEnds(count: Int, batchSize: UInt32?) -> [Int] {
        let batch = max(1, batchSize.map(Int.init) ?? (count + 3) / 4)
        return Array(stride(from: batch, to: count, by: batch)) + [count]
    }

    /// Where each canary wave ends, counted in nodes: each step's share of `count` rounded up,
    /// at least one node past the step before, at most `count`; the last end is always `count`.
    static func canaryEnds(count: Int, percents: [UInt8]) -> [Int] {
        var ends: [Int] = []
        for percent in percents {
            let previous = ends.last ?? 0
            guard previous < count else { break }
            let share = (Int(percent) * count + 99) / 100
            ends.append(min(count, max(share, previous + 1)))
        }
        if ends.last != count { ends.append(count) }
        return ends
    }

    private static func distinctInOrder(_ nodes: [String]) -> [String] {
        var seen = Set<String>()
        seen.reserveCapacity(nodes.count)
        return nodes.filter { seen.insert($0).inserted }
    }
}
