/// A change to the replicated fleet state. Commands travel through the Raft
/// log as bytes (`FleetCodec`) and are applied in log order on every coordinator.
public enum FleetCommand: Sendable, Equatable {
    case putEnvironment(EnvironmentRecord)
    /// Deletes the environment whatever nodes are recorded in it: what this command meant when
    /// builds wrote it (encoding versions 2 and 3), kept so their entries replay alike. No route
    /// proposes it now.
    case deleteEnvironment(name: String)
    /// Deletes the environment unless a node is recorded in it (the API's DELETE). Encoding version 4.
    case deleteUnusedEnvironment(name: String)
    /// Carried in the context of the membership change that adds the member.
    case putMember(ClusterMemberRecord)
    /// Carried in the context of the membership change that removes the member.
    case deleteMember(name: String)
    /// A coordinator's own API and agent addresses.
    case publishAddresses(AdvertisedAddresses)
    /// A node's inventory, written by the agent gateway when it changes.
    case putNode(NodeRecord)
    case deleteNode(id: String)
    /// A new agent-port session ticket key (the leader rotates them).
    case addTicketKey(TicketKeyRecord)
    /// Denies the node's certificates issued up to the time in it (stamped by the leader).
    case revokeNode(NodeRevocation)
    /// Lifts a revocation: certificates it denied are accepted again.
    case unrevokeNode(name: String)
}

/// What applying one command did; the API maps it to a status code.
public enum FleetOutcome: Sendable, Equatable {
    case environmentStored(EnvironmentRecord, created: Bool)
    case environmentDeleted(name: String)
    case memberStored(ClusterMemberRecord)
    case memberDeleted(name: String)
    case addressesPublished(AdvertisedAddresses)
    case nodeStored(NodeRecord, created: Bool)
    case nodeDeleted(id: String)
    /// Named in hex: the outcome never carries the secret.
    case ticketKeyAdded(nameHex: String)
    /// The revocation in force (the later of a repeated revocation's times).
    case nodeRevoked(NodeRevocation)
    case nodeUnrevoked(name: String)
    case rejected(FleetRejection)
}

/// Why a command was refused. Deterministic: every replica refuses the same way.
public enum FleetRejection: Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case notFound(String)
    case tooManyEnvironments(maximum: Int)
    case invalidApprovalTimeout(UInt32)
    case tooManyMembers(maximum: Int)
    case invalidNode(String)
    case unknownNode(String)
    case tooManyNodes(maximum: Int)
    case malformedTicketKey
    /// An environment with nodes recorded in it; `example` is the first of them by id.
    case environmentInUse(String, nodes: Int, example: String)
    case tooManyRevocations(maximum: Int)
    case notRevoked(String)

    public var description: String {
        switch self {
        case let .invalidName(name):
            return "environment name '\(name)' must match [a-z0-9][a-z0-9-]{0,62}"
        case let .notFound(name):
            return "environment '\(name)' does not exist"
        case let .tooManyEnvironments(maximum):
            return "at most \(maximum) environments may exist"
        case let .invalidApprovalTimeout(seconds):
            return "approval timeout \(seconds) s must be between 60 s and 30 days"
        case let .tooManyMembers(maximum):
            return "at most \(maximum) coordinators may be registered"
        case let .invalidNode(reason):
            return "invalid node: \(reason)"
        case let .unknownNode(id):
            return "node '\(id)' does not exist"
        case let .tooManyNodes(maximum):
            return "at most \(maximum) nodes may be registered"
        case .malformedTicketKey:
            return "a ticket key needs a \(TicketKeyRecord.nameBytes)-byte name and a \(TicketKeyRecord.secretBytes)-byte secret"
        case let .environmentInUse(name, count, example):
            return "environment '\(name)' still has \(count) node\(count == 1 ? "" : "s") (\(example)\(count > 1 ? ", ..." : "")); "
                + "move or remove them first"
        case let .tooManyRevocations(maximum):
            return "at most \(maximum) node names may be revoked; lift one that no longer matters (hotswap nodes unrevoke)"
        case let .notRevoked(name):
            return "node '\(name)' is not revoked"
        }
    }
}
