import Primitives
import Rollout

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
    /// The first admin and the first token-signing key, together. Applies only to a cluster with
    /// no users and no signing keys, so the founding secret is used once (Docs/ACCESS.md).
    case bootstrapAdmin(UserRecord, signingKey: SigningKeyRecord)
    /// A new user; its failure counters and lock start at zero and its `credentialIndex` is this
    /// command's index, whatever the record says.
    case addUser(UserRecord)
    case deleteUser(name: String)
    /// A new password digest: the user's `credentialIndex` becomes this command's index, so
    /// earlier tokens are refused, and the failure count, lockouts and lock are cleared.
    case setPassword(name: String, digest: PasswordDigest)
    /// A failed login at the leader's wall clock; the fifth in a row locks the account (`LockoutSchedule`),
    /// and one while it is locked lengthens the lock.
    case recordLoginFailure(name: String, atMilliseconds: UInt64)
    /// A right password: the failure count and the doubling start again. Audited (as every login
    /// is since encoding version 6), it changes nothing and answers `loginSuccessWhileLocked` when the
    /// account is locked at the context's time (a lock that committed after the check read the record).
    case recordLoginSuccess(name: String)
    /// Lifts a lock and clears the count and the doubling.
    case unlockUser(name: String)
    /// A new signer for tokens; the current one keeps verifying for `overlapMilliseconds`
    /// after the new key's `createdAtMilliseconds`.
    case rotateSigningKey(SigningKeyRecord, overlapMilliseconds: UInt64)
    /// An API write and its audit record in one entry: applies the command, answers its outcome and
    /// records it (Docs/AUDIT.md). The command is never itself an audit command.
    indirect case audited(AuditContext, FleetCommand)
    /// A login for a name no user has: only ever audited (`audited(context, recordUnknownLogin)`),
    /// which records it; nothing else changes.
    case recordUnknownLogin
    /// Drops the audit records stamped before the time (the leader's clock less the retention).
    case compactAudit(beforeMilliseconds: UInt64)
    /// Records an uploaded module version (encoding version 8). Versions are immutable: the same
    /// name and version with the same sha256 changes nothing, with another sha256 it is refused.
    case putModule(ModuleRecord)
    /// Forgets a module version (encoding version 8); its artifact may then be collected.
    case deleteModule(name: String, version: String)
    /// Raises the replicated cluster version (CLUSTER.md, "The cluster version"): the newest fleet
    /// version every member was heard to read when the leader proposed it. Never lowers it; only
    /// the leader proposes it, never audited. Encoding version 7.
    case setClusterVersion(UInt8)
    /// Sets the Ed25519 public keys an environment trusts to sign the modules installed in it
    /// (MODULES.md, "Signing policy"); none means the environment asks for no signature.
    /// Encoding version 9.
    case setModuleSigningKeys(environment: String, keys: [[UInt8]])
    /// A new deployment with the plan the leader computed (Docs/DEPLOYMENTS.md, "Replicated
    /// deployments"); it starts awaiting approval or running as its environment says, every wave
    /// and node pending, whatever the record says. Encoding version 10, as every deployment command.
    case createDeployment(DeploymentRecord)
    /// An admin's approval or rejection of a deployment awaiting one, before it expires.
    case decideApproval(id: String, approve: Bool, by: String, reason: String, atMilliseconds: UInt64)
    /// Aborts a deployment whose approval is still pending at its expiry (the leader proposes it).
    case expireApproval(id: String, atMilliseconds: UInt64)
    /// Starts the first pending wave of a running deployment, with the baseline its gate judges by.
    case startWave(id: String, wave: UInt16, baseline: GateBaseline, atMilliseconds: UInt64)
    /// An installing node's result; a repeat of the recorded result changes nothing.
    case recordNodeInstall(id: String, node: String, succeeded: Bool, detail: String, atMilliseconds: UInt64)
    /// A gate decision on a gating wave, with the numbers it was made from.
    case recordGateDecision(id: String, wave: UInt16, decision: GateDecision, atMilliseconds: UInt64)
    /// A user's pause, resume, abort, rollback or promotion.
    case controlDeployment(id: String, action: DeploymentAction, by: String, reason: String, atMilliseconds: UInt64)
    /// A rolling-back node's result; a repeat of the recorded result changes nothing.
    case recordNodeRollback(id: String, node: String, succeeded: Bool, detail: String, atMilliseconds: UInt64)
    /// Drops the terminal deployments finished before the time (the leader's clock less the retention).
    case compactDeployments(beforeMilliseconds: UInt64)
    /// Sets the gate settings and strategy parameters an environment's deployments start from
    /// (DEPLOYMENTS.md, "Environment policy"); nil goes back to the defaults. Encoding version 10.
    case setRolloutPolicy(environment: String, policy: EnvironmentRolloutPolicy?)
    /// Sets or (nil) removes an environment's approval webhook (DEPLOYMENTS.md, "Approval webhook").
    /// Encoding version 11.
    case setApprovalWebhook(environment: String, webhook: ApprovalWebhook?)
    /// A new join token (Docs/CERTIFICATES.md, "Enrollment"). Encoding version 12, as every join-token command.
    case createJoinToken(JoinTokenRecord)
    /// One enrollment with a token, at the leader's clock; committed before the leader signs. Written by builds
    /// before version 13, which bound nothing: still applied as written (replayed logs), never proposed now.
    case useJoinToken(id: String, secretHash: [UInt8], node: String, environment: String, atMilliseconds: UInt64)
    /// One enrollment with a token, as `useJoinToken`, that also binds `node` to `environment`: its hellos
    /// must report that environment from then on (`FleetState+EnrolledEnvironments.swift`). Encoding version 13.
    case enrollNode(id: String, secretHash: [UInt8], node: String, environment: String, atMilliseconds: UInt64)
    /// Forgets a token: no agent enrolls with it any more.
    case revokeJoinToken(id: String)
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
    case adminBootstrapped(name: String)
    /// The cluster already had users or signing keys: the bootstrap changed nothing.
    case bootstrapSkipped
    case userAdded(name: String, role: UserRole)
    case userDeleted(name: String)
    case passwordChanged(name: String)
    /// A failure was counted; `lockedUntilMilliseconds` is the lock this failure set (it was the
    /// fifth in a row, and `failedLogins` starts again at 0), or 0 when it set none.
    case loginFailureRecorded(name: String, failedLogins: UInt8, lockedUntilMilliseconds: UInt64)
    /// The account was locked at the failure's time: the failure raised the lockouts instead of the
    /// count, and the lock lasts until `untilMilliseconds` (extended if the new lockout ends later).
    case accountLocked(name: String, untilMilliseconds: UInt64)
    case loginSuccessRecorded(name: String)
    /// A right password met a lock in force at the login's time (a lock that committed after the
    /// check read the record): nothing changed, and no token may be issued.
    case loginSuccessWhileLocked(name: String, untilMilliseconds: UInt64)
    case userUnlocked(name: String)
    /// Named by the new key's id in hex: the outcome never carries the secret.
    case signingKeyRotated(idHex: String)
    /// A login for a name no user has was recorded.
    case unknownLoginRecorded
    case auditCompacted(removed: Int)
    /// The version is recorded; `created` is false when the same bytes were recorded already.
    case moduleStored(ModuleRecord, created: Bool)
    case moduleDeleted(name: String, version: String)
    /// The cluster version is now this one (it was lower, or unset).
    case clusterVersionRaised(UInt8)
    /// A set no higher than the cluster version in force, which this is (the unset one counts as
    /// `FleetState.clusterVersionUnset`): nothing changed.
    case clusterVersionKept(UInt8)
    case moduleSigningKeysSet(environment: String, keys: [[UInt8]])
    /// A deployment command applied: the record now, and what the command changed.
    case deploymentStored(DeploymentRecord, change: DeploymentChange)
    /// A user's action or an approval decision as a leader answers a follower that forwarded it
    /// (`ClusterOutcome.decodable(by:)`): the state machine never makes it.
    case deploymentSummarized(DeploymentHeadline)
    case deploymentsCompacted(removed: Int)
    /// The environment's policy now; nil when it uses the defaults.
    case rolloutPolicySet(environment: String, policy: EnvironmentRolloutPolicy?)
    /// The environment's approval webhook now; nil when it has none.
    case approvalWebhookSet(environment: String, webhook: ApprovalWebhook?)
    case joinTokenCreated(JoinTokenRecord)
    case joinTokenUsed(id: String, node: String, usesRemaining: UInt32)
    case joinTokenRevoked(id: String)
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
    case invalidUserName(String)
    case userExists(String)
    case unknownUser(String)
    case tooManyUsers(maximum: Int)
    /// Deleting this user would leave the cluster without an admin.
    case lastAdmin(String)
    /// A bootstrap whose user is not an admin.
    case bootstrapNotAdmin(String)
    case malformedPasswordDigest
    case malformedSigningKey
    /// A rotation's new key has an id the ring already holds (hex).
    case signingKeyExists(String)
    case invalidKeyOverlap(milliseconds: UInt64)
    case invalidModule(String)
    /// The version is recorded with another artifact (hex sha256s): versions are immutable.
    case moduleVersionExists(name: String, version: String, recordedHex: String)
    case unknownModule(name: String, version: String)
    case tooManyModules(maximum: Int)
    case tooManyModuleVersions(name: String, maximum: Int)
    /// The same bytes again with a signature other than the recorded one (`recordedSigned`: the
    /// version was recorded signed, else unsigned): a version's signature is as immutable as its bytes.
    case moduleSignatureDiffers(name: String, version: String, recordedSigned: Bool)
    /// `FleetState.moduleVersionsMaximum` versions of all modules together are recorded.
    case tooManyModuleVersionsInAll(maximum: Int)
    /// Module signing keys that are not 1 to `FleetState.moduleSigningKeysMaximum` distinct
    /// 32-byte Ed25519 public keys (or none).
    case invalidModuleSigningKeys(String)
    case unknownDeployment(String)
    /// A deployment record or plan that is not well formed (`DeploymentRecord.invalidity`).
    case invalidDeployment(String)
    case deploymentExists(String)
    /// A deployment of the same module and environment that has not finished, by id.
    case deploymentInProgress(id: String)
    /// `FleetState.deploymentsMaximum` are held and none has finished.
    case tooManyDeployments(maximum: Int)
    /// The action is not one the deployment's state allows (`action` is the command's word).
    case invalidTransition(id: String, from: DeploymentState, action: String)
    /// The approval's time ran out before the decision.
    case approvalExpired(id: String)
    /// A driver's step that does not fit the record (a wave not next, a node not installing, a
    /// decision whose poll does not match its wave).
    case invalidDeploymentStep(id: String, reason: String)
    /// A module version an unfinished deployment installs or may roll back to: deleted only once it finished.
    case moduleInUse(name: String, version: String, deployment: String)
    /// An approval by the user who created the deployment: another admin must approve it (a
    /// rejection by its creator is taken).
    case selfApproval(id: String, user: String)
    /// A rollout policy whose gate settings or strategy parameters are out of their bounds.
    case invalidRolloutPolicy(String)
    /// An approval webhook whose URL or secret is refused.
    case invalidApprovalWebhook(String)
    case invalidJoinToken(String)
    case tooManyJoinTokens(maximum: Int)
    case unknownJoinToken(String)
    /// An enrollment refused: unknown token, wrong secret, expired, used up or another environment,
    /// told apart nowhere outside the state machine (no oracle).
    case joinTokenRefused

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
        case let .invalidUserName(name):
            return "user name '\(name)' must match \(UserName.pattern)"
        case let .userExists(name):
            return "user '\(name)' already exists"
        case let .unknownUser(name):
            return "user '\(name)' does not exist"
        case let .tooManyUsers(maximum):
            return "at most \(maximum) users may exist; delete one that is no longer needed"
        case let .lastAdmin(name):
            return "user '\(name)' is the last admin; make another admin first"
        case let .bootstrapNotAdmin(name):
            return "the first user ('\(name)') must be an admin"
        case .malformedPasswordDigest:
            return "a password digest needs scrypt parameters N = 2^\(PasswordDigest.costLog2Range) below 2^(16 r), "
                + "r in \(PasswordDigest.blockSizeRange), p in \(PasswordDigest.parallelismRange), "
                + "a \(PasswordDigest.saltBytes)-byte salt and a \(PasswordDigest.hashBytes)-byte hash"
        case .malformedSigningKey:
            return "a signing key needs an id of \(SigningKeyRecord.idBytes) bytes and a secret of \(SigningKeyRecord.secretBytes) bytes"
        case let .signingKeyExists(idHex):
            return "signing key \(idHex) is already in the key ring"
        case let .invalidKeyOverlap(milliseconds):
            return "a key overlap of \(milliseconds) ms is over the limit of \(FleetState.signingKeyOverlapMaximumMilliseconds) ms (24 h)"
        case let .invalidModule(reason):
            return "invalid module: \(reason)"
        case let .moduleVersionExists(name, version, recordedHex):
            return "module \(name) \(version) is already recorded with another artifact (sha256 \(recordedHex)); "
                + "versions are immutable: give the new artifact a new version"
        case let .unknownModule(name, version):
            return "module \(name) \(version) does not exist"
        case let .tooManyModules(maximum):
            return "at most \(maximum) modules may be recorded; delete versions no longer deployed"
        case let .tooManyModuleVersionsInAll(maximum):
            return "at most \(maximum) versions of all modules together may be recorded; delete versions no longer deployed"
        case let .invalidModuleSigningKeys(reason):
            return "module signing keys: \(reason)"
        case let .invalidRolloutPolicy(reason):
            return "rollout policy: \(reason)"
        case let .invalidApprovalWebhook(reason):
            return "approval webhook: \(reason)"
        case let .invalidJoinToken(reason):
            return "join token: \(reason)"
        case let .tooManyJoinTokens(maximum):
            return "at most \(maximum) join tokens may be held; revoke one no longer needed (hotswap tokens revoke)"
        case let .unknownJoinToken(id):
            return "join token \(id) does not exist"
        case .joinTokenRefused:
            return "the join token is not valid (unknown, expired, used up or for another environment); ask an admin for a new one"
        case let .moduleSignatureDiffers(name, version, recordedSigned):
            return "module \(name) \(version) is already recorded with these bytes "
                + (recordedSigned ? "and another signature" : "unsigned")
                + "; a version's signature cannot change: upload without a signature, or give the artifact a new version"
        case let .tooManyModuleVersions(name, maximum):
            return "module \(name) has \(maximum) versions, the most one module may keep; delete one no longer deployed"
        case let .unknownDeployment(id):
            return "deployment '\(id)' does not exist"
        case let .invalidDeployment(reason):
            return "invalid deployment: \(reason)"
        case let .deploymentExists(id):
            return "deployment '\(id)' already exists"
        case let .deploymentInProgress(id):
            return "deployment '\(id)' of this module and environment has not finished; wait for it, or abort or roll it back"
        case let .tooManyDeployments(maximum):
            return "\(maximum) deployments are held and none has finished; wait for one to finish"
        case let .invalidTransition(id, from, action):
            return "deployment '\(id)' is \(from): it cannot \(action)"
        case let .approvalExpired(id):
            return "the approval of deployment '\(id)' has expired"
        case let .invalidDeploymentStep(id, reason):
            return "deployment '\(id)': \(reason)"
        case let .moduleInUse(name, version, deployment):
            return "module \(name) \(version) is needed by deployment '\(deployment)', which has not finished; "
                + "wait for it, or abort or roll it back"
        case let .selfApproval(id, user):
            return "\(user) created deployment '\(id)' and cannot approve it too: another admin must"
        }
    }
}
