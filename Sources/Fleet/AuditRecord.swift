import Primitives

/// One entry of the audit trail (Docs/AUDIT.md): an API write or a login, with who made it, their
/// role, from where, what it did to what, how it ended and when. `index` is the Raft index of the
/// entry that recorded it, which is also its id.
public struct AuditRecord: Sendable, Equatable {
    public private(set) var index: UInt64
    public private(set) var atMilliseconds: UInt64
    public private(set) var user: String
    public private(set) var role: UserRole?
    public private(set) var source: String
    public private(set) var action: AuditAction
    /// The name or id acted on; `-` when there is none to show.
    public private(set) var target: String
    /// `applied`, `refused:CODE` (the API's error code of the `FleetRejection`), or for a login
    /// `success`, `failure` or `locked`.
    public private(set) var outcome: String

    public static let targetBytesMaximum = FleetCodec.textBytesMaximum
    public static let outcomeBytesMaximum = 64

    /// A record with each text cut to its bound (as a context is), so every record encodes into a
    /// snapshot that decodes.
    public init(index: UInt64, atMilliseconds: UInt64, user: String, role: UserRole?, source: String, action: AuditAction,
                target: String, outcome: String) {
        self.index = index
        self.atMilliseconds = atMilliseconds
        self.user = user.truncated(toUTF8Bytes: AuditContext.userBytesMaximum)
        self.role = role
        self.source = source.truncated(toUTF8Bytes: AuditContext.sourceBytesMaximum)
        self.action = action
        self.target = target.truncated(toUTF8Bytes: Self.targetBytesMaximum)
        self.outcome = outcome.truncated(toUTF8Bytes: Self.outcomeBytesMaximum)
    }

    /// The record of `command`, applied at `index` with `outcome`, made in `context`.
    init(index: UInt64, context: AuditContext, command: FleetCommand, outcome: FleetOutcome) {
        let (action, target) = AuditAction.of(command)
        self.init(index: index, atMilliseconds: context.atMilliseconds, user: context.user, role: context.role,
                  source: context.source, action: action, target: target, outcome: Self.outcomeText(outcome))
    }

    /// How `outcome` shows in a record.
    static func outcomeText(_ outcome: FleetOutcome) -> String {
        switch outcome {
        case let .rejected(rejection): "refused:" + rejection.code
        case .loginSuccessRecorded: "success"
        case let .loginFailureRecorded(_, _, lockedUntil): lockedUntil > 0 ? "locked" : "failure"
        case .accountLocked, .loginSuccessWhileLocked: "locked"
        case .unknownLoginRecorded: "failure"
        case .bootstrapSkipped: "skipped"
        default: "applied"
        }
    }
}

/// What an audit record says was done: a stable dotted name per kind of write (Docs/AUDIT.md lists
/// them). Derived from the command, so a route cannot name it wrongly.
public enum AuditAction: String, Sendable, CaseIterable {
    case environmentPut = "environment.put"
    case environmentDelete = "environment.delete"
    case nodePut = "node.put"
    case nodeRemove = "node.remove"
    case nodeRevoke = "node.revoke"
    case nodeUnrevoke = "node.unrevoke"
    case userBootstrap = "user.bootstrap"
    case userAdd = "user.add"
    case userDelete = "user.delete"
    case userPassword = "user.password"
    case userUnlock = "user.unlock"
    case authLogin = "auth.login"
    case authRotateKey = "auth.rotate_key"
    case clusterMemberAdd = "cluster.member_add"
    case clusterMemberRemove = "cluster.member_remove"
    case clusterPublishAddresses = "cluster.publish_addresses"
    case clusterTicketKey = "cluster.ticket_key"
    case auditCompact = "audit.compact"
    case modulePut = "module.put"
    case moduleDelete = "module.delete"
    case clusterVersion = "cluster.version"
    case environmentModuleKeys = "environment.module_keys"
    case deploymentCreate = "deployment.create"
    case deploymentPause = "deployment.pause"
    case deploymentResume = "deployment.resume"
    case deploymentAbort = "deployment.abort"
    case deploymentRollback = "deployment.rollback"
    case deploymentPromote = "deployment.promote"
    case deploymentWaveStart = "deployment.wave_start"
    case deploymentNodeInstall = "deployment.node_install"
    case deploymentGate = "deployment.gate"
    case deploymentNodeRollback = "deployment.node_rollback"
    case deploymentCompact = "deployment.compact"
    case approvalApprove = "approval.approve"
    case approvalReject = "approval.reject"
    case approvalExpire = "approval.expire"
    case environmentRolloutPolicy = "environment.rollout_policy"
    case environmentApprovalWebhook = "environment.approval_webhook"
    case joinTokenCreate = "join_token.create"
    case joinTokenUse = "join_token.use"
    case joinTokenRevoke = "join_token.revoke"

    /// The actions of join-token commands, which builds before version 12 cannot decode.
    static let joinTokenActions: Set<AuditAction> = [.joinTokenCreate, .joinTokenUse, .joinTokenRevoke]

    /// The actions of deployment and approval commands, which builds before version 10 cannot decode.
    static let deploymentActions: Set<AuditAction> = [
        .deploymentCreate, .deploymentPause, .deploymentResume, .deploymentAbort, .deploymentRollback, .deploymentPromote,
        .deploymentWaveStart, .deploymentNodeInstall, .deploymentGate, .deploymentNodeRollback, .deploymentCompact,
        .approvalApprove, .approvalReject, .approvalExpire,
    ]

    public static let bytesMaximum = 32

    /// The action and target of `command`.
    static func of(_ command: FleetCommand) -> (AuditAction, String) {
        switch command {
        case let .putEnvironment(record): (.environmentPut, record.name)
        case let .deleteEnvironment(name), let .deleteUnusedEnvironment(name): (.environmentDelete, name)
        case let .putMember(record): (.clusterMemberAdd, record.name)
        case let .deleteMember(name): (.clusterMemberRemove, name)
        case let .publishAddresses(addresses): (.clusterPublishAddresses, addresses.name)
        case let .putNode(record): (.nodePut, record.id)
        case let .deleteNode(id): (.nodeRemove, id)
        case let .addTicketKey(record): (.clusterTicketKey, record.nameHex)
        case let .revokeNode(revocation): (.nodeRevoke, revocation.node)
        case let .unrevokeNode(name): (.nodeUnrevoke, name)
        case let .bootstrapAdmin(user, _): (.userBootstrap, user.name)
        case let .addUser(user): (.userAdd, user.name)
        case let .deleteUser(name): (.userDelete, name)
        case let .setPassword(name, _): (.userPassword, name)
        case let .recordLoginFailure(name, _), let .recordLoginSuccess(name): (.authLogin, name)
        case let .unlockUser(name): (.userUnlock, name)
        case let .rotateSigningKey(key, _): (.authRotateKey, key.idHex)
        case let .audited(_, inner): of(inner)
        case .recordUnknownLogin: (.authLogin, AuditContext.unknownUser)
        case .compactAudit: (.auditCompact, AuditContext.unknownUser)
        case let .putModule(record): (.modulePut, "\(record.name)@\(record.version)")
        case let .deleteModule(name, version): (.moduleDelete, "\(name)@\(version)")
        case let .setClusterVersion(version): (.clusterVersion, "\(version)")
        case let .setModuleSigningKeys(environment, _): (.environmentModuleKeys, environment)
        case let .createDeployment(record): (.deploymentCreate, record.id)
        case let .decideApproval(id, approve, _, _, _): (approve ? .approvalApprove : .approvalReject, id)
        case let .expireApproval(id, _): (.approvalExpire, id)
        case let .startWave(id, wave, _, _): (.deploymentWaveStart, "\(id)/\(wave)")
        case let .recordNodeInstall(id, node, _, _, _): (.deploymentNodeInstall, "\(id)/\(node)")
        case let .recordGateDecision(id, wave, _, _): (.deploymentGate, "\(id)/\(wave)")
        case let .controlDeployment(id, action, _, _, _): (controlAction(action), id)
        case let .recordNodeRollback(id, node, _, _, _): (.deploymentNodeRollback, "\(id)/\(node)")
        case .compactDeployments: (.deploymentCompact, AuditContext.unknownUser)
        case let .setRolloutPolicy(environment, _): (.environmentRolloutPolicy, environment)
        case let .setApprovalWebhook(environment, _): (.environmentApprovalWebhook, environment)
        case let .createJoinToken(record): (.joinTokenCreate, record.id)
        case let .useJoinToken(id, _, node, _, _): (.joinTokenUse, "\(id)/\(node)")
        case let .enrollNode(id, _, node, environment, _): (.joinTokenUse, "\(id)/\(node)@\(environment)")
        case let .revokeJoinToken(id): (.joinTokenRevoke, id)
        }
    }

    private static func controlAction(_ action: DeploymentAction) -> AuditAction {
        switch action {
        case .pause: .deploymentPause
        case .resume: .deploymentResume
        case .abort: .deploymentAbort
        case .rollback: .deploymentRollback
        case .promote: .deploymentPromote
        }
    }
}
