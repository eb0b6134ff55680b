/// The replicated state machine of the coordinators. `apply` is pure and
/// deterministic: the same commands in the same order give the same state on
/// every replica.
public struct FleetState: Sendable, Equatable {
    public internal(set) var environments: [String: EnvironmentRecord]
    /// Coordinators added after the founding, by name.
    public internal(set) var members: [String: ClusterMemberRecord]
    /// Each coordinator's published API and agent addresses, by name.
    public internal(set) var advertised: [String: AdvertisedAddresses]
    /// Node inventory, by node id.
    public internal(set) var nodes: [String: NodeRecord]
    /// Agent-port session ticket keys, newest first: the first seals, all open.
    public internal(set) var ticketKeys: [TicketKeyRecord]
    /// Revoked node names, by name: the agent ports' deny-list.
    public internal(set) var revocations: [String: NodeRevocation]
    /// API users, by name.
    public internal(set) var users: [String: UserRecord]
    /// The token-signing key ring, newest first: the first signs, those not retired verify.
    public internal(set) var signingKeys: [SigningKeyRecord]
    /// The audit trail of API writes and logins, in index order (Docs/AUDIT.md).
    public internal(set) var audit: AuditTrail
    /// Uploaded module versions: by module name, then by version.
    public internal(set) var modules: [String: [String: ModuleRecord]]
    /// The newest fleet version every member read when the leader raised it; nil until first
    /// raised. Only rises (`setClusterVersion`).
    public internal(set) var clusterVersion: UInt8?
    /// Environment name → the Ed25519 public keys (32 bytes each) it trusts to sign modules;
    /// an environment without an entry asks for no signature (`FleetState+ModuleSigning.swift`).
    public internal(set) var moduleSigningKeys: [String: [[UInt8]]]
    /// Deployments, running and finished, by id (`FleetState+Deployments.swift`).
    public internal(set) var deployments: [String: DeploymentRecord]
    /// Environment name → the rollout policy it set; an environment without an entry uses the
    /// defaults (`FleetState+RolloutPolicy.swift`).
    public internal(set) var rolloutPolicies: [String: EnvironmentRolloutPolicy]
    /// Environment name → its approval webhook (`FleetState+ApprovalWebhook.swift`).
    public internal(set) var approvalWebhooks: [String: ApprovalWebhook]
    /// Join tokens by id (`FleetState+JoinTokens.swift`).
    public internal(set) var joinTokens: [String: JoinTokenRecord]
    /// Node name → the environment its enrollment admitted it to (`FleetState+EnrolledEnvironments.swift`).
    public internal(set) var enrolledEnvironments: [String: EnrolledBinding]
    /// The Raft index of the last command applied; replaying an index is a no-op.
    public private(set) var appliedIndex: UInt64

    public static let environmentsMaximum = 64
    public static let membersMaximum = 16
    public static let nodesMaximum = 16_384
    /// The newest key seals tickets; the two before it still open tickets
    /// they sealed, so a ticket lives through two rotations.
    public static let ticketKeysMaximum = 3
    /// As many revoked names as nodes may be registered.
    public static let revocationsMaximum = nodesMaximum
    public static let usersMaximum = 1_024
    /// The signer and up to three keys still verifying the tokens they signed.
    public static let signingKeysMaximum = 4
    /// The longest a replaced signer keeps verifying (24 h).
    public static let signingKeyOverlapMaximumMilliseconds: UInt64 = 24 * 3_600_000
    public static let modulesMaximum = 1_024
    public static let versionsPerModuleMaximum = 64
    /// Versions of all modules together: as many as the module store keeps artifacts by default.
    public static let moduleVersionsMaximum = 4_096
    /// Deployments held, finished ones included until compaction drops them.
    public static let deploymentsMaximum = 1_024
    static let approvalTimeoutSecondsRange: ClosedRange<UInt32> = 60...(30 * 24 * 3600)

    public init() {
        environments = Dictionary(uniqueKeysWithValues: EnvironmentRecord.defaults.map { ($0.name, $0) })
        members = [:]
        advertised = [:]
        nodes = [:]
        ticketKeys = []
        revocations = [:]
        users = [:]
        signingKeys = []
        audit = AuditTrail()
        modules = [:]
        clusterVersion = nil
        moduleSigningKeys = [:]
        deployments = [:]
        rolloutPolicies = [:]
        approvalWebhooks = [:]
        joinTokens = [:]
        enrolledEnvironments = [:]
        appliedIndex = 0
    }

    init(environments: [String: EnvironmentRecord], members: [String: ClusterMemberRecord],
         advertised: [String: AdvertisedAddresses], nodes: [String: NodeRecord], ticketKeys: [TicketKeyRecord],
         revocations: [String: NodeRevocation], users: [String: UserRecord], signingKeys: [SigningKeyRecord],
         audit: AuditTrail, modules: [String: [String: ModuleRecord]] = [:], clusterVersion: UInt8?,
         moduleSigningKeys: [String: [[UInt8]]] = [:], deployments: [String: DeploymentRecord] = [:],
         rolloutPolicies: [String: EnvironmentRolloutPolicy] = [:], approvalWebhooks: [String: ApprovalWebhook] = [:],
         joinTokens: [String: JoinTokenRecord] = [:], enrolledEnvironments: [String: EnrolledBinding] = [:],
         appliedIndex: UInt64) {
        self.environments = environments
        self.members = members
        self.advertised = advertised
        self.nodes = nodes
        self.ticketKeys = ticketKeys
        self.revocations = revocations
        self.users = users
        self.signingKeys = signingKeys
        self.audit = audit
        self.modules = modules
        self.clusterVersion = clusterVersion
        self.moduleSigningKeys = moduleSigningKeys
        self.deployments = deployments
        self.rolloutPolicies = rolloutPolicies
        self.approvalWebhooks = approvalWebhooks
        self.joinTokens = joinTokens
        self.enrolledEnvironments = enrolledEnvironments
        self.appliedIndex = appliedIndex
    }

    /// Environments sorted by name, for listings.
    public var sortedEnvironments: [EnvironmentRecord] {
        environments.values.sorted { $0.name < $1.name }
    }

    /// Registered members sorted by name.
    public var sortedMembers: [ClusterMemberRecord] {
        members.values.sorted { $0.name < $1.name }
    }

    /// Revocations sorted by node name, for listings and snapshots.
    public var sortedRevocations: [NodeRevocation] {
        revocations.values.sorted { $0.node < $1.node }
    }

    /// Users sorted by name, for listings and snapshots.
    public var sortedUsers: [UserRecord] {
        users.values.sorted { $0.name < $1.name }
    }

    /// The key new tokens are signed with: the newest.
    public var signingKey: SigningKeyRecord? { signingKeys.first }

    /// The keys a token may be signed with at `atMilliseconds`: those not retired by then.
    public func verifyingKeys(atMilliseconds: UInt64) -> [SigningKeyRecord] {
        signingKeys.filter { key in key.retiresAtMilliseconds.map { $0 > atMilliseconds } ?? true }
    }

    /// Applies the command at Raft `index`. Indices must increase; an index at
    /// or below `appliedIndex` was applied already and changes nothing.
    @discardableResult
    public mutating func apply(_ command: FleetCommand, at index: UInt64) -> FleetOutcome? {
        guard index > appliedIndex else { return nil }
        appliedIndex = index
        let outcome = decide(command)
        assert(environments.count <= Self.environmentsMaximum, "environment table over its bound")
        assert(members.count <= Self.membersMaximum && advertised.count <= Self.membersMaximum, "member tables over their bound")
        assert(nodes.count <= Self.nodesMaximum, "node table over its bound")
        assert(ticketKeys.count <= Self.ticketKeysMaximum, "ticket keys over their bound")
        assert(revocations.count <= Self.revocationsMaximum, "revocations over their bound")
        assert(users.count <= Self.usersMaximum && signingKeys.count <= Self.signingKeysMaximum, "access tables over their bound")
        assert(audit.count <= AuditTrail.recordsMaximum, "audit trail over its bound")
        assert(modules.count <= Self.modulesMaximum && moduleVersionCount <= Self.moduleVersionsMaximum, "modules over their bound")
        assert(moduleSigningKeys.keys.allSatisfy { environments[$0] != nil }, "signing keys of an environment that does not exist")
        assert(deployments.count <= Self.deploymentsMaximum && Self.atMostOneUnfinished(deployments.values),
               "deployments over their bound, or two unfinished of one module and environment")
        assert(rolloutPolicies.keys.allSatisfy { environments[$0] != nil }, "rollout policy of an environment that does not exist")
        assert(approvalWebhooks.keys.allSatisfy { environments[$0] != nil }, "approval webhook of an environment that does not exist")
        assert(enrolledEnvironments.count <= Self.enrolledEnvironmentsMaximum, "enrolled environments over their bound")
        return outcome
    }

    /// Marks `index` applied when its entry carried no fleet command (a Raft no-op or configuration entry).
    public mutating func skip(_ index: UInt64) {
        if index > appliedIndex { appliedIndex = index }
    }

    mutating func decide(_ command: FleetCommand) -> FleetOutcome {
        switch command {
        case let .putEnvironment(record): putEnvironment(record)
        case let .deleteEnvironment(name): deleteEnvironment(name)
        case let .deleteUnusedEnvironment(name): deleteUnusedEnvironment(name)
        case let .putMember(record): putMember(record)
        case let .deleteMember(name): deleteMember(name)
        case let .publishAddresses(addresses): publish(addresses)
        case let .putNode(record): putNode(record)
        case let .deleteNode(id): deleteNode(id)
        case let .addTicketKey(record): addTicketKey(record)
        case let .revokeNode(revocation): revokeNode(revocation)
        case let .unrevokeNode(name): unrevokeNode(name)
        case let .bootstrapAdmin(user, key): bootstrapAdmin(user, signingKey: key)
        case let .addUser(user): addUser(user)
        case let .deleteUser(name): deleteUser(name)
        case let .setPassword(name, digest): setPassword(name, digest: digest)
        case let .recordLoginFailure(name, at): recordLoginFailure(name, atMilliseconds: at)
        case let .recordLoginSuccess(name): recordLoginSuccess(name, atMilliseconds: nil)
        case let .unlockUser(name): unlockUser(name)
        case let .rotateSigningKey(key, overlap): rotateSigningKey(key, overlapMilliseconds: overlap)
        case let .audited(context, command): audited(context, command)
        case .recordUnknownLogin: .unknownLoginRecorded
        case let .compactAudit(before): compactAudit(beforeMilliseconds: before)
        case let .putModule(record): putModule(record)
        case let .deleteModule(name, version): deleteModule(name, version: version)
        case let .setClusterVersion(version): setClusterVersion(version)
        case let .setModuleSigningKeys(environment, keys): setModuleSigningKeys(environment, keys: keys)
        case let .createDeployment(record): createDeployment(record)
        case let .decideApproval(id, approve, by, reason, at): decideApproval(id, approve: approve, by: by, reason: reason, at: at)
        case let .expireApproval(id, at): expireApproval(id, at: at)
        case let .startWave(id, wave, baseline, at): startWave(id, wave: wave, baseline: baseline, at: at)
        case let .recordNodeInstall(id, node, succeeded, detail, at):
            recordNodeInstall(id, node: node, succeeded: succeeded, detail: detail, at: at)
        case let .recordGateDecision(id, wave, decision, at): recordGateDecision(id, wave: wave, decision: decision, at: at)
        case let .controlDeployment(id, action, by, reason, at): controlDeployment(id, action: action, by: by, reason: reason, at: at)
        case let .recordNodeRollback(id, node, succeeded, detail, at):
            recordNodeRollback(id, node: node, succeeded: succeeded, detail: detail, at: at)
        case let .compactDeployments(before): compactDeployments(beforeMilliseconds: before)
        case let .setRolloutPolicy(environment, policy): setRolloutPolicy(environment, policy: policy)
        case let .setApprovalWebhook(environment, webhook): setApprovalWebhook(environment, webhook: webhook)
        case let .createJoinToken(record): createJoinToken(record)
        case let .useJoinToken(id, hash, node, environment, at):
            useJoinToken(id: id, secretHash: hash, node: node, environment: environment, atMilliseconds: at)
        case let .enrollNode(id, hash, node, environment, at):
            enrollNode(id: id, secretHash: hash, node: node, environment: environment, atMilliseconds: at)
        case let .revokeJoinToken(id): revokeJoinToken(id: id)
        }
    }
}
