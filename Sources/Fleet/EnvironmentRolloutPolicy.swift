import Rollout

/// An environment's rollout policy (Docs/DEPLOYMENTS.md, "Environment policy"): the gate settings
/// and strategy parameters its deployments start from unless a deployment overrides them.
public struct EnvironmentRolloutPolicy: Sendable, Equatable {
    public var gate: GateSettings
    public var parameters: StrategyParameters

    public init(gate: GateSettings = GateSettings(), parameters: StrategyParameters = StrategyParameters()) {
        self.gate = gate
        self.parameters = parameters
    }

    /// What an environment without a policy of its own uses: the contract's defaults.
    public static let defaults = EnvironmentRolloutPolicy()

    /// Why this policy cannot be used, or nil: the gate's refusal, then the parameters'.
    public func refusal() -> String? {
        gate.refusal() ?? parameters.refusal()
    }
}
