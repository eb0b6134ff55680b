import Fleet
import Rollout
import Wire

/// What a deployment runs with that differs from its environment's, as the approvals answer
/// shows it (`GET /api/v1/approvals`), so an approver sees what the request loosened: the strategy
/// over the environment's default, the install concurrency over the default of 16, and the
/// strategy parameters and gate over the environment's rollout policy; `{"field", "deployment",
/// "environment"}` per field, the values as the policy's JSON writes them. Pure.
public enum DeploymentOverrides {
    /// The differing fields of `record` over its environment's `defaultStrategy` (nil: the
    /// environment is gone, not compared) and `policy` (nil: the defaults), in the request's order.
    public static func fields(_ record: DeploymentRecord, defaultStrategy: RolloutStrategy?, over policy: EnvironmentRolloutPolicy?)
        -> [(field: String, deployment: String, environment: String)] {
        let effective = policy ?? .defaults
        var mine = values(record.gate, record.parameters)
        var theirs = values(effective.gate, effective.parameters)
        mine.append(("installConcurrency", "\(record.installConcurrency)"))
        theirs.append(("installConcurrency", "\(DeploymentBody.installConcurrencyDefault)"))
        if let defaultStrategy {
            mine.insert(("strategy", JSONText.quoted(record.strategy.rawValue)), at: 0)
            theirs.insert(("strategy", JSONText.quoted(defaultStrategy.rawValue)), at: 0)
        }
        return zip(mine, theirs).compactMap { ours, base in
            ours.value == base.value ? nil : (field: ours.name, deployment: ours.value, environment: base.value)
        }
    }

    /// `[{"field", "deployment", "environment"}, ...]`.
    public static func json(_ record: DeploymentRecord, defaultStrategy: RolloutStrategy?, over policy: EnvironmentRolloutPolicy?)
        -> String {
        "[" + fields(record, defaultStrategy: defaultStrategy, over: policy).map { field in
            "{\"field\":\(JSONText.quoted(field.field)),\"deployment\":\(field.deployment),\"environment\":\(field.environment)}"
        }.joined(separator: ",") + "]"
    }

    static func values(_ gate: GateSettings, _ parameters: StrategyParameters) -> [(name: String, value: String)] {
        [
            ("strategyParameters.rollingBatchSize", parameters.rollingBatchSize.map { "\($0)" } ?? "null"),
            ("strategyParameters.canaryPercents", "[\(parameters.canaryPercents.map { "\($0)" }.joined(separator: ","))]"),
            ("gate.pollIntervalMilliseconds", "\(gate.pollIntervalMilliseconds)"),
            ("gate.minimumWaitMilliseconds", "\(gate.minimumWaitMilliseconds)"),
            ("gate.maximumWaitMilliseconds", "\(gate.maximumWaitMilliseconds)"),
            ("gate.consecutiveStable", "\(gate.consecutiveStable)"), ("gate.consecutiveFailing", "\(gate.consecutiveFailing)"),
            ("gate.cpu", RolloutPolicyJSON.band(gate.cpuBand)), ("gate.memory", RolloutPolicyJSON.band(gate.memoryBand)),
            ("gate.latency", RolloutPolicyJSON.band(gate.latencyBand)),
            ("gate.hostCPUCeilingPercent", "\(gate.hostCPUCeilingPercent)"),
            ("gate.hostMemoryCeilingPercent", "\(gate.hostMemoryCeilingPercent)"),
            ("gate.noDataMaximumNodes", gate.noDataMaximumNodes.map { "\($0)" } ?? "null"),
            ("gate.onFailure", JSONText.quoted(RolloutPolicyJSON.name(of: gate.onFailure))),
        ]
    }
}
