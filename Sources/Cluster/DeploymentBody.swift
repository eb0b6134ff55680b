import Fleet
import Rollout

/// The body of `POST /api/v1/deployments` (Docs/DEPLOYMENTS.md, "API and CLI"), checked field by
/// field so that a refusal names the field: `module`, `version` and `environment` are required;
/// `strategy` (absent: the environment's), `strategyParameters` and `gate` (each field absent takes
/// the environment's rollout policy, given as the decoder's `policyKey`, else the defaults) and
/// `installConcurrency` (1 to 1,024, absent 16) are optional; unknown fields are refused.
public struct DeploymentBody: Decodable, Sendable, Equatable {
    public var module: String
    public var version: String
    public var environment: String
    /// Nil: the environment's default strategy.
    public var strategy: RolloutStrategy?
    public var parameters: StrategyParameters
    public var gate: GateSettings
    public var installConcurrency: UInt16

    public typealias Refusal = EnvironmentBody.Refusal

    /// The `userInfo` key of the `EnvironmentRolloutPolicy` whose values absent fields take.
    public static let policyKey = CodingUserInfoKey(rawValue: "hotswap.deploymentBody.policy")!
    public static let installConcurrencyDefault: UInt16 = 16
    static let fieldNames = ["module", "version", "environment", "strategy", "strategyParameters", "gate", "installConcurrency"]

    public init(from decoder: any Decoder) throws {
        let base = decoder.userInfo[Self.policyKey] as? EnvironmentRolloutPolicy ?? .defaults
        let body = try PolicyObject(decoder.container(keyedBy: EnvironmentBody.Field.self), path: "", known: Self.fieldNames,
                                    owner: "a deployment")
        module = try Self.required(body, "module")
        version = try Self.required(body, "version")
        environment = try Self.required(body, "environment")
        if let name = try body.string("strategy") {
            guard let strategy = RolloutStrategy(rawValue: name) else {
                throw Refusal(description: "strategy '\(name)' is not one of "
                              + RolloutStrategy.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.strategy = strategy
        }
        parameters = base.parameters
        if let object = try body.object("strategyParameters", known: RolloutPolicyBody.parameterFieldNames) {
            parameters = try RolloutPolicyBody.parameters(object, base: base.parameters)
        }
        gate = base.gate
        if let object = try body.object("gate", known: RolloutPolicyBody.gateFieldNames) {
            gate = try RolloutPolicyBody.gate(object, base: base.gate)
        }
        installConcurrency = Self.installConcurrencyDefault
        try body.set(&installConcurrency, "installConcurrency", DeploymentRecord.installConcurrencyRange, unit: "nodes")
    }

    /// What the refusal of a body that is not JSON, or not an object, shows.
    public static let shape = "body must be a JSON object: {\"module\": \"web\", \"version\": \"1.2.0\", \"environment\": "
        + "\"staging\", \"strategy\": \"canary\", \"strategyParameters\": {...}, \"gate\": {...}, \"installConcurrency\": 16}, "
        + "the last four optional (Docs/DEPLOYMENTS.md, \"API and CLI\")"

    private static func required(_ body: PolicyObject, _ name: String) throws -> String {
        guard let value = try body.string(name), !value.isEmpty else {
            throw Refusal(description: "\(name) is required: a non-empty string")
        }
        guard value.utf8.count <= DeploymentRecord.textBytesMaximum else {
            throw Refusal(description: "\(name) must be at most \(DeploymentRecord.textBytesMaximum) bytes")
        }
        return value
    }
}
