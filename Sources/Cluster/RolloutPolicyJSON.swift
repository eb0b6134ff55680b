import Fleet
import Rollout
import Wire

/// An environment's rollout policy as API JSON (Docs/DEPLOYMENTS.md, "Environment policy"): the
/// answer of `GET` and `PUT /api/v1/environments/{name}/rollout-policy`, every field written, so
/// that a shown policy sent back (`RolloutPolicyBody`) sets exactly what it shows.
public enum RolloutPolicyJSON {
    /// The JSON names of the failure policies, in declaration order.
    public static let failurePolicyNames: [(GateFailurePolicy, String)] = [(.rollback, "rollback"), (.pause, "pause"),
                                                                          (.recordOnly, "recordOnly")]

    public static func name(of policy: GateFailurePolicy) -> String {
        failurePolicyNames.first { $0.0 == policy }?.1 ?? "\(policy.rawValue)"
    }

    /// `environment`'s effective policy: `policy`, or the defaults (`"default": true`) when nil.
    public static func document(environment: String, policy: EnvironmentRolloutPolicy?) -> String {
        let effective = policy ?? .defaults
        return "{\"environment\":\(JSONText.quoted(environment)),\"default\":\(policy == nil),"
            + "\"strategyParameters\":\(parameters(effective.parameters)),\"gate\":\(gate(effective.gate))}"
    }

    static func parameters(_ parameters: StrategyParameters) -> String {
        "{\"rollingBatchSize\":\(parameters.rollingBatchSize.map { "\($0)" } ?? "null"),"
            + "\"canaryPercents\":[\(parameters.canaryPercents.map { "\($0)" }.joined(separator: ","))]}"
    }

    static func gate(_ gate: GateSettings) -> String {
        let fields = [
            "\"pollIntervalMilliseconds\":\(gate.pollIntervalMilliseconds)",
            "\"minimumWaitMilliseconds\":\(gate.minimumWaitMilliseconds)",
            "\"maximumWaitMilliseconds\":\(gate.maximumWaitMilliseconds)",
            "\"consecutiveStable\":\(gate.consecutiveStable)", "\"consecutiveFailing\":\(gate.consecutiveFailing)",
            "\"cpu\":\(band(gate.cpuBand))", "\"memory\":\(band(gate.memoryBand))", "\"latency\":\(band(gate.latencyBand))",
            "\"hostCPUCeilingPercent\":\(gate.hostCPUCeilingPercent)",
            "\"hostMemoryCeilingPercent\":\(gate.hostMemoryCeilingPercent)",
            "\"noDataMaximumNodes\":\(gate.noDataMaximumNodes.map { "\($0)" } ?? "null")",
            "\"onFailure\":\(JSONText.quoted(name(of: gate.onFailure)))",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `{"percent": 12.5, "floor": 2}`: basis points as a percent with at most two decimals.
    static func band(_ band: GateBand) -> String {
        "{\"percent\":\(percent(basisPoints: band.relativeBasisPoints)),\"floor\":\(number(band.floor))}"
    }

    public static func percent(basisPoints: UInt32) -> String {
        let hundredths = basisPoints % 100
        guard hundredths != 0 else { return "\(basisPoints / 100)" }
        let digits = hundredths < 10 ? "0\(hundredths)" : "\(hundredths)"
        return "\(basisPoints / 100)." + (digits.hasSuffix("0") ? String(digits.dropLast()) : digits)
    }

    /// A finite double as a JSON number, whole ones without a fraction; anything else as 0 (the
    /// state never holds one: `GateSettings.refusal()` refuses it).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return "\(Int64(value))" }
        return "\(value)"
    }
}
