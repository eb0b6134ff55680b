import Primitives

/// A change of the replicated state that people watch (`GET /api/v1/events`, Docs/EVENTS.md),
/// derived from an applied command's outcome and its Raft index. Every coordinator applies the
/// same log, so every one derives the same events with the same indexes. Internal bookkeeping
/// (ticket keys, published addresses, signing keys, login counts) and refusals are no events,
/// and no event carries a password digest or a key.
public struct FleetEvent: Sendable, Equatable {
    /// What an event is about: the SSE `event:` name and the `?types=` filter's words.
    public enum Kind: String, Sendable, CaseIterable {
        case environment, node, user, member, deployment, approval
    }

    /// What changed.
    public enum Change: Sendable, Equatable {
        case environmentStored(EnvironmentRecord, created: Bool)
        case environmentDeleted(name: String)
        case nodeStored(NodeRecord, created: Bool)
        case nodeDeleted(id: String)
        case nodeRevoked(NodeRevocation)
        case nodeUnrevoked(name: String)
        case userAdded(name: String, role: UserRole)
        case userDeleted(name: String)
        case passwordChanged(name: String)
        /// A lock began (a failure while locked that lengthens it is none: guesses cannot flood
        /// the journal).
        case userLocked(name: String, untilMilliseconds: UInt64)
        case userUnlocked(name: String)
        case memberAdded(ClusterMemberRecord)
        case memberRemoved(name: String)
        /// A deployment command's change: approvals decided or expired are of kind `approval`, the
        /// rest (creation, users' actions, waves, nodes, gate decisions) of kind `deployment`.
        case deployment(DeploymentSummary)
    }

    /// A deployment as an event shows it: no node list, no gate numbers (the record has them).
    public struct DeploymentSummary: Sendable, Equatable {
        public var id: String
        public var module: String
        public var version: String
        public var environment: String
        public var state: DeploymentState
        public var stateReason: String
        public var change: DeploymentChange

        public init(_ record: DeploymentRecord, change: DeploymentChange) {
            id = record.id
            module = record.module
            version = record.version
            environment = record.environment
            state = record.state
            stateReason = record.stateReason
            self.change = change
        }
    }

    /// The Raft index of the command: the event's SSE id.
    public let index: UInt64
    public let change: Change

    public init(index: UInt64, change: Change) {
        self.index = index
        self.change = change
    }

    /// The event of `outcome`, applied at `index`; nil when it is none.
    public init?(outcome: FleetOutcome, index: UInt64) {
        guard let change = Self.change(of: outcome) else { return nil }
        self.init(index: index, change: change)
    }

    public var kind: Kind {
        switch change {
        case .environmentStored, .environmentDeleted: .environment
        case .nodeStored, .nodeDeleted, .nodeRevoked, .nodeUnrevoked: .node
        case .userAdded, .userDeleted, .passwordChanged, .userLocked, .userUnlocked: .user
        case .memberAdded, .memberRemoved: .member
        case let .deployment(summary):
            if case .approval = summary.change { .approval } else { .deployment }
        }
    }

    /// Whether only admins may see it: what the admin-only routes show (`GET /api/v1/users`,
    /// `GET /api/v1/nodes/revocations`): every user event, and node revocations.
    public var isAdminOnly: Bool {
        switch change {
        case .userAdded, .userDeleted, .passwordChanged, .userLocked, .userUnlocked, .nodeRevoked, .nodeUnrevoked: true
        case .environmentStored, .environmentDeleted, .nodeStored, .nodeDeleted, .memberAdded, .memberRemoved, .deployment: false
        }
    }

    /// The user whose tokens the change revokes (deleted, or a new password: a new credential
    /// generation), whose open streams end.
    public var revokesTokensOf: String? {
        switch change {
        case let .userDeleted(name), let .passwordChanged(name): name
        default: nil
        }
    }

    private static func change(of outcome: FleetOutcome) -> Change? {
        switch outcome {
        case let .environmentStored(record, created): .environmentStored(record, created: created)
        case let .environmentDeleted(name): .environmentDeleted(name: name)
        case let .nodeStored(record, created): .nodeStored(record, created: created)
        case let .nodeDeleted(id): .nodeDeleted(id: id)
        case let .nodeRevoked(revocation): .nodeRevoked(revocation)
        case let .nodeUnrevoked(name): .nodeUnrevoked(name: name)
        case let .adminBootstrapped(name): .userAdded(name: name, role: .admin)
        case let .userAdded(name, role): .userAdded(name: name, role: role)
        case let .userDeleted(name): .userDeleted(name: name)
        case let .passwordChanged(name): .passwordChanged(name: name)
        case let .loginFailureRecorded(name, _, lockedUntil) where lockedUntil > 0:
            .userLocked(name: name, untilMilliseconds: lockedUntil)
        case let .userUnlocked(name): .userUnlocked(name: name)
        case let .memberStored(record): .memberAdded(record)
        case let .memberDeleted(name): .memberRemoved(name: name)
        case .deploymentStored(_, .unchanged): nil
        case let .deploymentStored(record, change): .deployment(DeploymentSummary(record, change: change))
        case .loginFailureRecorded, .accountLocked, .loginSuccessRecorded, .addressesPublished, .ticketKeyAdded, .signingKeyRotated,
             .bootstrapSkipped, .rejected, .unknownLoginRecorded, .auditCompacted, .loginSuccessWhileLocked, .moduleStored, .moduleDeleted,
             .clusterVersionRaised, .clusterVersionKept, .moduleSigningKeysSet, .deploymentsCompacted, .rolloutPolicySet,
             .approvalWebhookSet, .deploymentSummarized, .joinTokenCreated, .joinTokenUsed, .joinTokenRevoked:
            nil
        }
    }
}
