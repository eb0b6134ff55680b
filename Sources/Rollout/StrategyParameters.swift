/// How the rolling and canary strategies cut a fleet into waves (Docs/DEPLOYMENTS.md,
/// "Strategies"): per environment, overridable per deployment.
public struct StrategyParameters: Sendable, Equatable {
    /// Nodes per rolling wave; nil means a quarter of the fleet, rounded up.
    public var rollingBatchSize: UInt32?
    /// The share of the fleet updated once each canary wave is done, rising, the last 100.
    public var canaryPercents: [UInt8] = [10, 30, 60, 100]

    public static let canaryStepsMaximum = 10
    public static let rollingBatchSizeMaximum: UInt32 = 16_384

    public init(rollingBatchSize: UInt32? = nil, canaryPercents: [UInt8] = [10, 30, 60, 100]) {
        self.rollingBatchSize = rollingBatchSize
        self.canaryPercents = canaryPercents
    }

    /// Why these parameters cannot be used, or nil.
    public func refusal() -> String? {
        if let rollingBatchSize, !(1...Self.rollingBatchSizeMaximum).contains(rollingBatchSize) {
            return "a rolling batch is 1 to 16,384 nodes"
        }
        guard !canaryPercents.isEmpty, canaryPercents.count <= Self.canaryStepsMaximum else {
            return "a canary has 1 to 10 steps"
        }
        guard canaryPercents.last == 100, canaryPercents.first.map({ $0 >= 1 }) == true,
              zip(canaryPercents, canaryPercents.dropFirst()).allSatisfy({ $0 < $1 }) else {
            return "canary steps rise from at least 1 % and end at 100 %"
        }
        return nil
    }
}
