/// The environments' rollout policies (Docs/DEPLOYMENTS.md, "Environment policy"): an environment
/// without one uses `EnvironmentRolloutPolicy.defaults`; a policy is dropped with its environment.
extension FleetState {
    /// The policy `environment`'s deployments start from: its own, or the defaults.
    public func rolloutPolicy(of environment: String) -> EnvironmentRolloutPolicy {
        rolloutPolicies[environment] ?? .defaults
    }

    /// Whether the audit trail names a rollout-policy action, which builds before version 10 cannot decode.
    var auditNamesRolloutPolicy: Bool {
        var found = false
        audit.forEachNewestFirst { record in
            found = record.action == .environmentRolloutPolicy
            return !found
        }
        return found
    }

    /// Sets `environment`'s policy, or with nil drops it so the defaults apply again.
    mutating func setRolloutPolicy(_ environment: String, policy: EnvironmentRolloutPolicy?) -> FleetOutcome {
        guard environments[environment] != nil else { return .rejected(.notFound(environment)) }
        if let refusal = policy?.refusal() { return .rejected(.invalidRolloutPolicy(refusal)) }
        rolloutPolicies[environment] = policy
        return .rolloutPolicySet(environment: environment, policy: policy)
    }
}
