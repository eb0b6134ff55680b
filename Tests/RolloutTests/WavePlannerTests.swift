import Rollout
import Testing

@Suite struct WavePlannerTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let strategy: RolloutStrategy
        let parameters: StrategyParameters
        let size: Int
        let waveSizes: [Int]

        var testDescription: String { "\(strategy) \(parameters) of \(size)" }
    }

    static func rows(_ strategy: RolloutStrategy, _ parameters: StrategyParameters, _ sizes: [Int: [Int]]) -> [Row] {
        sizes.keys.sorted().map { Row(strategy: strategy, parameters: parameters, size: $0, waveSizes: sizes[$0]!) }
    }

    static let defaults = StrategyParameters()

    /// Wave sizes per fleet size, the first row of each strategy under the default parameters.
    static let table: [Row] =
        rows(.direct, defaults, [1: [1], 2: [2], 7: [7], 100: [100]])
        + rows(.blueGreen, defaults, [1: [1], 2: [2], 7: [7], 100: [100]])
        + rows(.rolling, defaults, [1: [1], 2: [1, 1], 7: [2, 2, 2, 1], 100: [25, 25, 25, 25]])
        + rows(.rolling, StrategyParameters(rollingBatchSize: 3), [1: [1], 2: [2], 7: [3, 3, 1], 100: Array(repeating: 3, count: 33) + [1]])
        + rows(.rolling, StrategyParameters(rollingBatchSize: 100), [1: [1], 2: [2], 7: [7], 100: [100]])
        + rows(.canary, defaults, [1: [1], 2: [1, 1], 7: [1, 2, 2, 2], 100: [10, 20, 30, 40]])
        + rows(.canary, StrategyParameters(canaryPercents: [50, 100]), [1: [1], 2: [1, 1], 7: [4, 3], 100: [50, 50]])
        + rows(.canary, StrategyParameters(canaryPercents: [1, 2, 100]), [1: [1], 2: [1, 1], 7: [1, 1, 5], 100: [1, 1, 98]])
        + rows(.canary, StrategyParameters(canaryPercents: [100]), [1: [1], 2: [2], 7: [7], 100: [100]])

    static func fleet(_ size: Int) -> [String] {
        (0..<size).map { "node-\($0)" }
    }

    @Test(arguments: table)
    func wavesHaveTheTabledSizes(row: Row) {
        let nodes = Self.fleet(row.size)
        let waves = WavePlanner.plan(nodes: nodes, strategy: row.strategy, parameters: row.parameters)
        #expect(waves.map(\.count) == row.waveSizes)
        #expect(Array(waves.joined()) == nodes)
    }

    static let parameterSets: [StrategyParameters] = [
        StrategyParameters(),
        StrategyParameters(rollingBatchSize: 1, canaryPercents: [1, 100]),
        StrategyParameters(rollingBatchSize: 7, canaryPercents: [5, 10, 20, 40, 80, 100]),
        StrategyParameters(rollingBatchSize: 16_384, canaryPercents: [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]),
        StrategyParameters(rollingBatchSize: 129, canaryPercents: [99, 100]),
    ]

    @Test(arguments: RolloutStrategy.allCases, parameterSets)
    func everyNodeOnceInOrderAndNoEmptyWave(strategy: RolloutStrategy, parameters: StrategyParameters) {
        #expect(parameters.refusal() == nil)
        for size in 0...130 {
            let nodes = Self.fleet(size)
            let waves = WavePlanner.plan(nodes: nodes, strategy: strategy, parameters: parameters)
            #expect(Array(waves.joined()) == nodes, "size \(size)")
            #expect(waves.allSatisfy { !$0.isEmpty }, "size \(size)")
            #expect(waves.count <= Self.waveCountBound(strategy, parameters, size), "size \(size)")
        }
    }

    /// The most waves a valid plan may have: a canary has no more waves than steps, a rolling
    /// deployment no more than its batches.
    static func waveCountBound(_ strategy: RolloutStrategy, _ parameters: StrategyParameters, _ size: Int) -> Int {
        switch strategy {
        case .direct, .blueGreen: min(size, 1)
        case .rolling: (size + Int(parameters.rollingBatchSize ?? 1) - 1) / Int(parameters.rollingBatchSize ?? 1)
        case .canary: min(size, parameters.canaryPercents.count)
        }
    }

    @Test(arguments: RolloutStrategy.allCases)
    func anEmptyFleetHasNoWaves(strategy: RolloutStrategy) {
        #expect(WavePlanner.plan(nodes: [], strategy: strategy, parameters: StrategyParameters()).isEmpty)
    }

    @Test func aNodeGivenTwiceIsPlannedOnceWhereItFirstAppears() {
        let nodes = ["b", "a", "b", "c", "a", "d"]
        #expect(WavePlanner.plan(nodes: nodes, strategy: .direct, parameters: StrategyParameters()) == [["b", "a", "c", "d"]])
        let rolling = WavePlanner.plan(nodes: nodes, strategy: .rolling, parameters: StrategyParameters(rollingBatchSize: 3))
        #expect(rolling == [["b", "a", "c"], ["d"]])
        let canary = WavePlanner.plan(nodes: nodes, strategy: .canary, parameters: StrategyParameters(canaryPercents: [50, 100]))
        #expect(canary == [["b", "a"], ["c", "d"]])
    }

    static let invalidParameters: [StrategyParameters] = [
        StrategyParameters(rollingBatchSize: 0, canaryPercents: []),
        StrategyParameters(rollingBatchSize: 20_000, canaryPercents: [0, 0, 0]),
        StrategyParameters(canaryPercents: [60, 30, 10]),
        StrategyParameters(canaryPercents: [10, 30]),
        StrategyParameters(canaryPercents: [255, 100, 50]),
        StrategyParameters(canaryPercents: Array(repeating: 50, count: 40)),
    ]

    @Test(arguments: RolloutStrategy.allCases, invalidParameters)
    func refusedParametersStillGiveAPlan(strategy: RolloutStrategy, parameters: StrategyParameters) {
        #expect(parameters.refusal() != nil)
        for size in [0, 1, 2, 7, 100] {
            let nodes = Self.fleet(size)
            let waves = WavePlanner.plan(nodes: nodes, strategy: strategy, parameters: parameters)
            #expect(Array(waves.joined()) == nodes, "size \(size)")
            #expect(waves.allSatisfy { !$0.isEmpty }, "size \(size)")
        }
    }

    @Test func refusedCanaryStepsAreReadAsTheDocumentSays() {
        let nodes = Self.fleet(10)
        func sizes(_ percents: [UInt8]) -> [Int] {
            WavePlanner.plan(nodes: nodes, strategy: .canary, parameters: StrategyParameters(canaryPercents: percents)).map(\.count)
        }
        #expect(sizes([]) == [10], "no steps: one wave")
        #expect(sizes([10, 30]) == [1, 2, 7], "the nodes left after the last step: one more wave")
        #expect(sizes([60, 30, 10]) == [6, 1, 1, 2], "falling steps still add a node each")
        #expect(sizes([0, 0, 100]) == [1, 1, 8])
        #expect(sizes([255]) == [10])
        let zeroBatch = WavePlanner.plan(nodes: nodes, strategy: .rolling, parameters: StrategyParameters(rollingBatchSize: 0))
        #expect(zeroBatch.map(\.count) == Array(repeating: 1, count: 10), "a batch of 0 is a batch of 1")
    }
}
