import Primitives

/// The role table of Docs/ACCESS.md as data: every route of the REST API with what it requires.
/// A route missing from the table requires admin, so a new endpoint is never open by accident.
public enum Permissions {
    /// What a route that is not in `rules` requires.
    public static let unlisted = AccessRequirement.role(.admin)

    public static let rules: [PermissionRule] = [
        PermissionRule("GET", "/healthz", .open),
        PermissionRule("GET", "/readyz", .open),
        PermissionRule("GET", "/metrics", .open),
        PermissionRule("POST", "/api/v1/auth/login", .open),
        PermissionRule("GET", "/api/v1/auth/me", .role(.viewer)),
        PermissionRule("POST", "/api/v1/auth/rotate-key", .role(.admin)),
        PermissionRule("GET", "/api/v1/users", .role(.admin)),
        PermissionRule("POST", "/api/v1/users", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/users/{name}", .role(.admin)),
        PermissionRule("POST", "/api/v1/users/{name}/password", .selfOrRole(parameter: "name", role: .admin)),
        PermissionRule("POST", "/api/v1/users/{name}/unlock", .role(.admin)),
        PermissionRule("GET", "/api/v1/cluster", .role(.viewer)),
        PermissionRule("POST", "/api/v1/cluster/transfer-leader", .role(.admin)),
        PermissionRule("POST", "/api/v1/cluster/members", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/cluster/members/{name}", .role(.admin)),
        PermissionRule("GET", "/api/v1/environments", .role(.viewer)),
        PermissionRule("GET", "/api/v1/environments/{name}", .role(.viewer)),
        PermissionRule("PUT", "/api/v1/environments/{name}", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/environments/{name}", .role(.admin)),
        PermissionRule("GET", "/api/v1/environments/{name}/module-signing-keys", .role(.viewer)),
        PermissionRule("PUT", "/api/v1/environments/{name}/module-signing-keys", .role(.admin)),
        PermissionRule("GET", "/api/v1/environments/{name}/rollout-policy", .role(.viewer)),
        PermissionRule("PUT", "/api/v1/environments/{name}/rollout-policy", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/environments/{name}/rollout-policy", .role(.admin)),
        PermissionRule("GET", "/api/v1/environments/{name}/approval-webhook", .role(.admin)),
        PermissionRule("PUT", "/api/v1/environments/{name}/approval-webhook", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/environments/{name}/approval-webhook", .role(.admin)),
        PermissionRule("POST", "/api/v1/join-tokens", .role(.admin)),
        PermissionRule("GET", "/api/v1/join-tokens", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/join-tokens/{id}", .role(.admin)),
        PermissionRule("GET", "/api/v1/nodes", .role(.viewer)),
        PermissionRule("GET", "/api/v1/nodes/revocations", .role(.admin)),
        PermissionRule("DELETE", "/api/v1/nodes/revocations/{id}", .role(.admin)),
        PermissionRule("GET", "/api/v1/nodes/{id}", .role(.viewer)),
        PermissionRule("DELETE", "/api/v1/nodes/{id}", .role(.admin)),
        PermissionRule("POST", "/api/v1/nodes/{id}/revoke", .role(.admin)),
        PermissionRule("GET", "/api/v1/nodes/{id}/metrics", .role(.viewer)),
        PermissionRule("GET", "/api/v1/nodes/{id}/modules", .role(.viewer)),
        PermissionRule("POST", "/api/v1/nodes/{id}/modules/{module}", .role(.deployer)),
        PermissionRule("GET", "/api/v1/modules", .role(.viewer)),
        PermissionRule("GET", "/api/v1/modules/{name}", .role(.viewer)),
        PermissionRule("PUT", "/api/v1/modules/{name}/{version}", .role(.deployer)),
        PermissionRule("DELETE", "/api/v1/modules/{name}/{version}", .role(.admin)),
        PermissionRule("POST", "/api/v1/deployments", .role(.deployer)),
        PermissionRule("GET", "/api/v1/deployments", .role(.viewer)),
        PermissionRule("GET", "/api/v1/deployments/{id}", .role(.viewer)),
        PermissionRule("GET", "/api/v1/deployments/{id}/waves/{n}", .role(.viewer)),
        PermissionRule("GET", "/api/v1/deployments/{id}/waves/{n}/nodes", .role(.viewer)),
        PermissionRule("POST", "/api/v1/deployments/{id}/pause", .role(.deployer)),
        PermissionRule("POST", "/api/v1/deployments/{id}/resume", .role(.deployer)),
        PermissionRule("POST", "/api/v1/deployments/{id}/abort", .role(.deployer)),
        PermissionRule("POST", "/api/v1/deployments/{id}/rollback", .role(.deployer)),
        PermissionRule("POST", "/api/v1/deployments/{id}/promote", .role(.deployer)),
        PermissionRule("GET", "/api/v1/approvals", .role(.viewer)),
        PermissionRule("POST", "/api/v1/approvals/{id}/approve", .role(.admin)),
        PermissionRule("POST", "/api/v1/approvals/{id}/reject", .role(.admin)),
        PermissionRule("GET", "/api/v1/audit", .role(.admin)),
        PermissionRule("GET", "/api/v1/debug/logs", .role(.admin)),
        PermissionRule("GET", "/api/v1/debug/configuration", .role(.admin)),
        PermissionRule("GET", "/api/v1/events", .role(.viewer)),
        PermissionRule("GET", "/api/v1/snapshot", .role(.admin)),
    ]

    private static let requirements: [String: AccessRequirement] = Dictionary(
        rules.map { ("\($0.method) \($0.pattern)", $0.requirement) },
        uniquingKeysWith: { _, _ in preconditionFailure("Permissions.rules lists a route twice") })

    /// The requirement of the route registered as `method` `pattern` (the pattern text given to
    /// the router, `{name}` and all). HEAD is answered by the GET handler, so it has GET's row.
    public static func requirement(method: String, pattern: String) -> AccessRequirement {
        let lookedUp = method == "HEAD" ? "GET" : method
        return requirements["\(lookedUp) \(pattern)"] ?? unlisted
    }

    /// Whether `caller` (nil: no valid token) may make a request with `requirement`;
    /// `parameters` are the route's matched path parameters.
    public static func decide(_ requirement: AccessRequirement, caller: VerifiedCaller?,
                              parameters: [String: String]) -> AccessDecision {
        switch requirement {
        case .open:
            return .allowed
        case let .role(needed):
            guard let caller else { return .unauthenticated }
            return caller.role >= needed ? .allowed : .forbidden(needed: needed)
        case let .selfOrRole(parameter, needed):
            guard let caller else { return .unauthenticated }
            if let subject = parameters[parameter], subject == caller.name { return .allowed }
            return caller.role >= needed ? .allowed : .forbidden(needed: needed)
        }
    }
}
