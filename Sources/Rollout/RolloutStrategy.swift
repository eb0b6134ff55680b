/// How a deployment moves through an environment's nodes unless the request
/// names another strategy (Docs/DEPLOYMENTS.md, "Strategies").
public enum RolloutStrategy: String, Sendable, CaseIterable, Codable {
    case direct, rolling, blueGreen, canary
}
