import Primitives

/// The environment an enrollment admitted a node to (Docs/CERTIFICATES.md, "Enrollment"). An enrollment
/// (`enrollNode`) binds the name to the environment its request named, which a token limited to an
/// environment checked (one without a limit binds just the same), and the node's inventory may then only
/// report that environment: a token for `dev` cannot admit a host that says `production` at its hellos,
/// where deployments need an approval. Like a kubelet that may not relabel its own Node, the node cannot
/// move itself; an operator moves it by removing it and enrolling it again with a token for the other
/// environment. The binding outlives the node's record and is never dropped; enrolling the name again replaces
/// it and its time, and a hello with a certificate from before that latest enrollment is refused, so an earlier
/// enrollment's certificate cannot take the new environment. A name that never enrolled has no binding and its
/// certificate (from `hotswap certs issue`) reports what it likes; once the name enrolls, it is bound like any other.
extension FleetState {
    /// As many bindings as nodes may be registered. A name stays bound once enrolled (dropping a binding would let
    /// an older certificate of the name report any environment again), so a full table refuses new names.
    public static let enrolledEnvironmentsMaximum = nodesMaximum

    /// Why node `node`'s inventory may not report `environment`: it enrolled for another one. Nil when it may.
    public func enrolledEnvironmentRefusal(node: String, reports environment: String) -> String? {
        Self.environmentRefusal(node: node, bound: enrolledEnvironments[node]?.environment, reports: environment)
    }

    /// Why node `node`, bound by `bound` (nil: never enrolled), may not say hello with a certificate valid from
    /// `notBeforeSeconds` (issued `backdatingSeconds` later) reporting `environment`; nil when it may. The remedy comes
    /// first, and the text stays under the agent refusal's 256 bytes.
    public static func enrolledEnvironmentRefusal(
        node: String, bound: EnrolledBinding?, reports environment: String, notBeforeSeconds: Int64?, backdatingSeconds: Int64
    ) -> String? {
        guard let bound else { return nil }
        if bound.predates(notBeforeSeconds: notBeforeSeconds, backdatingSeconds: backdatingSeconds) {
            return "enroll the host again or use the certificate its latest enrollment issued: node \(node) presented "
                + "a certificate from before the node's latest enrollment"
        }
        return environmentRefusal(node: node, bound: bound.environment, reports: environment)
    }

    static func environmentRefusal(node: String, bound: String?, reports environment: String) -> String? {
        guard let bound, bound != environment else { return nil }
        return "run the agent with --environment \(bound), or remove (and unrevoke) the node and enroll it with a token "
            + "for '\(environment)': node \(node) enrolled for '\(bound)', not '\(environment)'"
    }

    /// One enrollment (`useJoinToken`'s rule) that binds `node` to `environment` when the token's use commits.
    /// A refused enrollment changes nothing: the token is judged first, and the table's bound before anything changes.
    mutating func enrollNode(
        id: String, secretHash: [UInt8], node: String, environment: String, atMilliseconds: UInt64
    ) -> FleetOutcome {
        guard NodeName.isValid(node), EnvironmentRecord.isValidName(environment) else { return .rejected(.joinTokenRefused) }
        var judged = self
        let outcome = judged.useJoinToken(id: id, secretHash: secretHash, node: node, environment: environment,
                                          atMilliseconds: atMilliseconds)
        guard case .joinTokenUsed = outcome else { return outcome }
        if enrolledEnvironments[node] == nil, enrolledEnvironments.count >= Self.enrolledEnvironmentsMaximum {
            return .rejected(.invalidNode("enrolled-name table full (\(Self.enrolledEnvironmentsMaximum) names; a name stays "
                + "bound once enrolled): enroll the host under a name that enrolled before"))
        }
        self = judged
        enrolledEnvironments[node] = EnrolledBinding(environment: environment, enrolledAtMilliseconds: atMilliseconds)
        return outcome
    }
}
