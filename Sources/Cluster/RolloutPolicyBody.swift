import Fleet
import Rollout

/// The body of `PUT /api/v1/environments/{name}/rollout-policy` (Docs/DEPLOYMENTS.md,
/// "Environment policy"), checked field by field so that a refusal names the field (`gate.cpu.floor`):
/// every field is optional and an absent one takes the default; unknown fields (with the nearest
/// known one), wrong types and values out of range are refused. `environment` and `default`, which
/// a shown policy carries, may be sent back: the first must match the path, the second is ignored.
public struct RolloutPolicyBody: Decodable, Sendable, Equatable {
    public var policy: EnvironmentRolloutPolicy
    public var environment: String?
    /// What a shown policy said of itself; never acted on.
    public var isDefault: Bool?

    public typealias Refusal = EnvironmentBody.Refusal

    static let fieldNames = ["strategyParameters", "gate", "environment", "default"]
    static let parameterFieldNames = ["rollingBatchSize", "canaryPercents"]
    static let gateFieldNames = ["pollIntervalMilliseconds", "minimumWaitMilliseconds", "maximumWaitMilliseconds",
                                 "consecutiveStable", "consecutiveFailing", "cpu", "memory", "latency", "hostCPUCeilingPercent",
                                 "hostMemoryCeilingPercent", "noDataMaximumNodes", "onFailure"]

    public init(from decoder: any Decoder) throws {
        let body = try PolicyObject(decoder.container(keyedBy: EnvironmentBody.Field.self), path: "", known: Self.fieldNames)
        environment = try body.string("environment")
        isDefault = try body.bool("default")
        policy = EnvironmentRolloutPolicy()
        if let object = try body.object("strategyParameters", known: Self.parameterFieldNames) {
            policy.parameters = try Self.parameters(object)
        }
        if let object = try body.object("gate", known: Self.gateFieldNames) { policy.gate = try Self.gate(object) }
    }

    /// The policy to set on the path's environment, or why the body's own name contradicts it.
    public func policy(named pathName: String) throws(Refusal) -> EnvironmentRolloutPolicy {
        if let environment, environment != pathName {
            throw Refusal(description: "the body names environment '\(environment)' but the path names '\(pathName)'")
        }
        return policy
    }

    /// The strategy parameters `object` sets over `base` (a field it leaves out keeps `base`'s value).
    static func parameters(_ object: PolicyObject, base: StrategyParameters = StrategyParameters()) throws -> StrategyParameters {
        var parameters = base
        if object.has("rollingBatchSize") {
            parameters.rollingBatchSize = try object.nullableInteger("rollingBatchSize", 1...StrategyParameters.rollingBatchSizeMaximum,
                                                                    unit: "nodes")
        }
        if let percents = try object.integers("canaryPercents", UInt8(1)...100, unit: "percent") {
            let field = object.path + "canaryPercents"
            guard (1...StrategyParameters.canaryStepsMaximum).contains(percents.count) else {
                throw Refusal(description: "\(field) must have 1 to \(StrategyParameters.canaryStepsMaximum) steps, not \(percents.count)")
            }
            guard percents.last == 100, zip(percents, percents.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw Refusal(description: "\(field) must rise and end at 100, as in [10, 30, 60, 100]")
            }
            parameters.canaryPercents = percents
        }
        if let refusal = parameters.refusal() { throw Refusal(description: "\(object.path.dropLast()): \(refusal)") }
        return parameters
    }

    /// The gate settings `object` sets over `base` (a field it leaves out keeps `base`'s value).
    static func gate(_ object: PolicyObject, base: GateSettings = GateSettings()) throws -> GateSettings {
        var gate = base
        try object.set(&gate.pollIntervalMilliseconds, "pollIntervalMilliseconds", GateSettings.pollIntervalMilliseconds,
                       unit: "milliseconds")
        try object.set(&gate.minimumWaitMilliseconds, "minimumWaitMilliseconds", 0...GateSettings.waitMillisecondsMaximum,
                       unit: "milliseconds")
        try object.set(&gate.maximumWaitMilliseconds, "maximumWaitMilliseconds", 0...GateSettings.waitMillisecondsMaximum,
                       unit: "milliseconds")
        try object.set(&gate.consecutiveStable, "consecutiveStable", GateSettings.consecutivePolls, unit: "polls")
        try object.set(&gate.consecutiveFailing, "consecutiveFailing", GateSettings.consecutivePolls, unit: "polls")
        gate.cpuBand = try object.band("cpu", around: gate.cpuBand)
        gate.memoryBand = try object.band("memory", around: gate.memoryBand)
        gate.latencyBand = try object.band("latency", around: gate.latencyBand)
        try object.set(&gate.hostCPUCeilingPercent, "hostCPUCeilingPercent", 1...100, unit: "percent")
        try object.set(&gate.hostMemoryCeilingPercent, "hostMemoryCeilingPercent", 1...100, unit: "percent")
        if object.has("noDataMaximumNodes") {
            gate.noDataMaximumNodes = try object.nullableInteger("noDataMaximumNodes", 0...16_384, unit: "nodes")
        }
        if let name = try object.string("onFailure") {
            guard let policy = RolloutPolicyJSON.failurePolicyNames.first(where: { $0.1 == name })?.0 else {
                let names = RolloutPolicyJSON.failurePolicyNames.map(\.1)
                throw Refusal(description: "\(object.path)onFailure '\(name)' is not one of "
                              + names.dropLast().joined(separator: ", ") + " or " + (names.last ?? ""))
            }
            gate.onFailure = policy
        }
        try checkWaits(gate, path: object.path)
        if let refusal = gate.refusal() { throw Refusal(description: "\(object.path.dropLast()): \(refusal)") }
        return gate
    }

    /// The waits' order, named by field (the ranges were checked one by one).
    static func checkWaits(_ gate: GateSettings, path: String) throws {
        if gate.minimumWaitMilliseconds > gate.maximumWaitMilliseconds {
            throw Refusal(description: "\(path)minimumWaitMilliseconds (\(gate.minimumWaitMilliseconds)) must not exceed "
                          + "\(path)maximumWaitMilliseconds (\(gate.maximumWaitMilliseconds))")
        }
        if gate.maximumWaitMilliseconds < gate.pollIntervalMilliseconds {
            throw Refusal(description: "\(path)maximumWaitMilliseconds (\(gate.maximumWaitMilliseconds)) must be at least "
                          + "\(path)pollIntervalMilliseconds (\(gate.pollIntervalMilliseconds))")
        }
    }
}
