import Primitives

/// What a route asks of its caller (`Permissions`).
public enum AccessRequirement: Sendable, Equatable {
    /// Anyone, with or without a token (health, metrics, login).
    case open
    /// A verified caller whose current role is at least this one.
    case role(UserRole)
    /// A verified caller whose name is the route's `parameter`, or who has at least `role`
    /// (changing one's own password, or an admin changing anyone's).
    case selfOrRole(parameter: String, role: UserRole)
}

/// The answer to one request: go ahead, 401 (no valid token), or 403 (a role too low).
public enum AccessDecision: Sendable, Equatable {
    case allowed
    case unauthenticated
    case forbidden(needed: UserRole)
}

/// One row of the permission table: a method and a route pattern as registered with the router.
public struct PermissionRule: Sendable, Equatable {
    public let method: String
    public let pattern: String
    public let requirement: AccessRequirement

    public init(_ method: String, _ pattern: String, _ requirement: AccessRequirement) {
        self.method = method
        self.pattern = pattern
        self.requirement = requirement
    }
}
