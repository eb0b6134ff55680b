import Primitives

/// The environment an enrollment admitted a node to (Docs/CERTIFICATES.md, "Enrollment"). An enrollment
/// (`enrollNode`) binds the name to the environment its request named, which a token limited to an
/// environment checked (one without a limit binds just the same), and the node's inventory may then only
/// report that environment: a token for `dev` cannot admit a host that says `production` at its hellos,
/// where deployments need an approval. Like a kubelet that may not relabel its own Node, the node cannot
/// move itself; an operator moves it by removing it and enrolling it again with a token for the other
/// environment. The binding outlives the node's record (its certificate still works after `deleteNode`) and
/// is replaced when the name enrolls again. A node that never enrolled (a certificate from `hotswap certs
/// issue`) has no binding and reports what it likes, as before.
extension FleetState {
    /// As many bindings as nodes may be registered. When the table is full, an enrollment of a new name
    /// first drops the bindings of names that are both out of the fleet and revoked (forgotten and denied).
    public static let enrolledEnvironmentsMaximum = nodesMaximum

    /// Why node `node` may not report `environment`: it enrolled for another one. Nil when it may.
    public func enrolledEnvironmentRefusal(node: String, reports environment: String) -> String? {
        Self.enrolledEnvironmentRefusal(node: node, bound: enrolledEnvironments[node], reports: environment)
    }

    /// Why node `node`, bound to `bound` (nil: never enrolled), may not report `environment`; nil when it may.
    public static func enrolledEnvironmentRefusal(node: String, bound: String?, reports environment: String) -> String? {
        guard let bound, bound != environment else { return nil }
        return "node \(node) enrolled for environment '\(bound)' and may not report '\(environment)': run its agent "
            + "with --environment \(bound), or remove the node and enroll it again with a token for '\(environment)'"
    }

    /// One enrollment (`useJoinToken`'s rule) that binds `node` to `environment` when the token's use commits.
    mutating func enrollNode(
        id: String, secretHash: [UInt8], node: String, environment: String, atMilliseconds: UInt64
    ) -> FleetOutcome {
        guard NodeName.isValid(node), EnvironmentRecord.isValidName(environment) else { return .rejected(.joinTokenRefused) }
        if enrolledEnvironments[node] == nil, enrolledEnvironments.count >= Self.enrolledEnvironmentsMaximum {
            enrolledEnvironments = enrolledEnvironments.filter { nodes[$0.key] != nil || revocations[$0.key] == nil }
            guard enrolledEnvironments.count < Self.enrolledEnvironmentsMaximum else {
                return .rejected(.tooManyNodes(maximum: Self.enrolledEnvironmentsMaximum))
            }
        }
        let outcome = useJoinToken(id: id, secretHash: secretHash, node: node, environment: environment, atMilliseconds: atMilliseconds)
        if case .joinTokenUsed = outcome { enrolledEnvironments[node] = environment }
        return outcome
    }
}
