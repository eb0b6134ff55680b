import Primitives

/// The binary form of fleet commands (Raft log entries) and of the whole
/// state (Raft snapshots). Versioned; decoding is bounded and rejects
/// anything it does not fully understand. Version 3 added ticket keys,
/// version 4 node revocations and `deleteUnusedEnvironment`, version 5 users, logins and
/// the token-signing key ring, version 6 the audit trail (`audited`, `recordUnknownLogin`,
/// `compactAudit`), version 7 the cluster version (`setClusterVersion`, and the snapshot's
/// cluster version), version 8 modules (`putModule`, `deleteModule`), version 9 the environments'
/// module signing keys (`setModuleSigningKeys`), version 10 deployments and approvals (`createDeployment` and the
/// commands that move one, `FleetCodec+DeploymentCommands.swift`) and the environments' rollout policies
/// (`setRolloutPolicy`), version 11 the environments' approval webhooks (`setApprovalWebhook`) and the
/// deployment headline a leader answers a forwarded control with (`FleetCodec+DeploymentHeadline.swift`),
/// version 12 join tokens (`FleetCodec+JoinTokens.swift`), version 13 enrollments that bind a node's environment
/// (`enrollNode`, and the snapshot's bindings); versions 2 to 12 (written before) still decode, so a data directory
/// survives the upgrade. Entries mean what they meant when written: tag 2 is the
/// unconditional `deleteEnvironment` in every version but 4, where it is
/// `deleteUnusedEnvironment`, because the builds before that command had its own tag (tag 11)
/// wrote the refusing deletion as a version-4 entry of tag 2.
///
/// Each entry is written in the lowest version that can express it, never below
/// `versionWrittenMinimum`: a command version 3 knows is written as version 3, a
/// snapshot without revocations, users, signing keys or audit records too, one with revocations but
/// neither users nor keys as version 4, one with an audit trail as version 6, one whose cluster
/// version was set as version 7, one with a module (or an audit record of one) as version 8, one
/// with signing keys (or an audit record of setting them) as version 9, one with a deployment or a
/// rollout policy (or an audit record of a deployment, approval or policy action) as version 10, one with
/// an approval webhook (or an audit record of setting one) as version 11, one with a join token (or an audit record
/// of a join-token action) as version 12, one with an enrolled node's binding as version 13, and
/// an audited command in the higher of 6 and its command's version, so members of older builds follow an upgraded
/// leader until it has to say something new (CLUSTER.md, "Rolling upgrades"). A tag is
/// read only in versions that have it.
public enum FleetCodec {
    public static let versionsRead: ClosedRange<UInt8> = 2...13
    /// The first version whose entries the leader proposes only once the replicated cluster
    /// version is at least theirs (`FleetState.clusterVersion`); every later version is gated alike.
    public static let versionFirstGatedByClusterVersion: UInt8 = 7
    /// The version of the module commands (`putModule`, `deleteModule`): a cluster below it takes none.
    public static let moduleCommandsVersion: UInt8 = 8
    /// The version of the deployment and approval commands: a cluster below it takes none.
    public static let deploymentCommandsVersion: UInt8 = 10
    /// What the oldest build that may share a cluster with this one reads.
    public static let versionWrittenMinimum: UInt8 = 3
    static let textBytesMaximum = 256

    enum Tag: UInt8 {
        case putEnvironment = 1, deleteEnvironment, putMember, deleteMember, publishAddresses, putNode, deleteNode
        case addTicketKey, revokeNode, unrevokeNode, deleteUnusedEnvironment
        case bootstrapAdmin, addUser, deleteUser, setPassword, recordLoginFailure, recordLoginSuccess, unlockUser
        case rotateSigningKey
        case audited, recordUnknownLogin, compactAudit
        case setClusterVersion
        // Tags 24 to 31 are left free.
        case putModule = 32, deleteModule, setModuleSigningKeys
        case createDeployment = 35, decideApproval, expireApproval, startWave, recordNodeInstall, recordGateDecision
        case controlDeployment, recordNodeRollback, compactDeployments
        // Tag 44 is left free.
        case setRolloutPolicy = 45, setApprovalWebhook, createJoinToken, useJoinToken, revokeJoinToken, enrollNode

        /// The version that introduced the tag.
        var since: UInt8 {
            switch self {
            case .putEnvironment, .deleteEnvironment, .putMember, .deleteMember, .publishAddresses, .putNode, .deleteNode: 2
            case .addTicketKey: 3
            case .revokeNode, .unrevokeNode, .deleteUnusedEnvironment: 4
            case .bootstrapAdmin, .addUser, .deleteUser, .setPassword, .recordLoginFailure, .recordLoginSuccess, .unlockUser,
                 .rotateSigningKey: 5
            case .audited, .recordUnknownLogin, .compactAudit: 6
            case .putModule, .deleteModule: 8
            case .setModuleSigningKeys: 9
            case .createDeployment, .decideApproval, .expireApproval, .startWave, .recordNodeInstall, .recordGateDecision,
                 .controlDeployment, .recordNodeRollback, .compactDeployments: 10
            case .setRolloutPolicy: 10
            case .setApprovalWebhook: 11
            case .createJoinToken, .useJoinToken, .revokeJoinToken: 12
            case .enrollNode: 13
            case .setClusterVersion: 7
            }
        }

        var versionWritten: UInt8 { max(since, FleetCodec.versionWrittenMinimum) }
    }

    public static func encode(_ command: FleetCommand) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(versionWritten(of: command))
        writeTagged(command, to: &writer)
        return writer.bytes
    }

    /// The version of the entry: its tag's, or an audited command's own when that is higher (the
    /// inner command is read in the entry's version).
    private static func versionWritten(of command: FleetCommand) -> UInt8 {
        if case let .audited(_, inner) = command { return max(Tag.audited.versionWritten, versionWritten(of: inner)) }
        return tag(of: command).versionWritten
    }

    private static func writeTagged(_ command: FleetCommand, to writer: inout BinaryWriter) {
        writer.write(tag(of: command).rawValue)
        writeFields(of: command, to: &writer)
    }

    private static func tag(of command: FleetCommand) -> Tag {
        switch command {
        case .putEnvironment: .putEnvironment
        case .deleteEnvironment: .deleteEnvironment
        case .deleteUnusedEnvironment: .deleteUnusedEnvironment
        case .putMember: .putMember
        case .deleteMember: .deleteMember
        case .publishAddresses: .publishAddresses
        case .putNode: .putNode
        case .deleteNode: .deleteNode
        case .addTicketKey: .addTicketKey
        case .revokeNode: .revokeNode
        case .unrevokeNode: .unrevokeNode
        case .bootstrapAdmin: .bootstrapAdmin
        case .addUser: .addUser
        case .deleteUser: .deleteUser
        case .setPassword: .setPassword
        case .recordLoginFailure: .recordLoginFailure
        case .recordLoginSuccess: .recordLoginSuccess
        case .unlockUser: .unlockUser
        case .rotateSigningKey: .rotateSigningKey
        case .audited: .audited
        case .recordUnknownLogin: .recordUnknownLogin
        case .compactAudit: .compactAudit
        case .putModule: .putModule
        case .deleteModule: .deleteModule
        case .setClusterVersion: .setClusterVersion
        case .setModuleSigningKeys: .setModuleSigningKeys
        case .createDeployment: .createDeployment
        case .decideApproval: .decideApproval
        case .expireApproval: .expireApproval
        case .startWave: .startWave
        case .recordNodeInstall: .recordNodeInstall
        case .recordGateDecision: .recordGateDecision
        case .controlDeployment: .controlDeployment
        case .recordNodeRollback: .recordNodeRollback
        case .compactDeployments: .compactDeployments
        case .setRolloutPolicy: .setRolloutPolicy
        case .setApprovalWebhook: .setApprovalWebhook
        case .createJoinToken: .createJoinToken
        case .useJoinToken: .useJoinToken
        case .enrollNode: .enrollNode
        case .revokeJoinToken: .revokeJoinToken
        }
    }

    private static func writeFields(of command: FleetCommand, to writer: inout BinaryWriter) {
        switch command {
        case let .deleteEnvironment(name), let .deleteUnusedEnvironment(name), let .deleteMember(name), let .deleteNode(name),
             let .unrevokeNode(name), let .deleteUser(name), let .recordLoginSuccess(name), let .unlockUser(name),
             let .revokeJoinToken(name):
            writer.write(name)
        case let .putEnvironment(record): write(record, to: &writer)
        case let .putMember(record): write(record, to: &writer)
        case let .publishAddresses(addresses): write(addresses, to: &writer)
        case let .putNode(record): write(record, to: &writer)
        case let .addTicketKey(record): write(record, to: &writer)
        case let .revokeNode(revocation): write(revocation, to: &writer)
        case let .bootstrapAdmin(user, key):
            write(user, to: &writer)
            write(key, to: &writer)
        case let .addUser(user): write(user, to: &writer)
        case let .setPassword(name, digest):
            writer.write(name)
            write(digest, to: &writer)
        case let .recordLoginFailure(name, at):
            writer.write(name)
            writer.write(at)
        case let .audited(context, inner):
            write(context, to: &writer)
            writeTagged(inner, to: &writer)
        case .recordUnknownLogin: break
        case let .compactAudit(before): writer.write(before)
        case let .putModule(record): write(record, to: &writer)
        case let .deleteModule(name, version):
            writer.write(name)
            writer.write(version)
        case let .setClusterVersion(version): writer.write(version)
        case let .setModuleSigningKeys(environment, keys):
            writer.write(environment)
            writeModuleSigningKeys(keys, to: &writer)
        case let .setRolloutPolicy(environment, policy):
            writer.write(environment)
            writeRolloutPolicy(policy, to: &writer)
        case let .setApprovalWebhook(environment, webhook):
            writer.write(environment)
            writeApprovalWebhook(webhook, to: &writer)
        case let .createJoinToken(record): write(record, to: &writer)
        case .useJoinToken, .enrollNode: writeUseJoinToken(command, to: &writer)
        case let .rotateSigningKey(key, overlap):
            write(key, to: &writer)
            writer.write(overlap)
        case .createDeployment, .decideApproval, .expireApproval, .startWave, .recordNodeInstall, .recordGateDecision,
             .controlDeployment, .recordNodeRollback, .compactDeployments:
            writeDeploymentFields(of: command, to: &writer)
        }
    }

    public static func decodeCommand(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetCommand {
        try decodeCommand(bytes, isInner: false)
    }

    /// A command the leader is to propose audited (the write of a `ClusterRequest.audited`): never
    /// an audit command itself, and possibly one that exists only audited (`recordUnknownLogin`).
    public static func decodeCommandToAudit(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetCommand {
        try decodeCommand(bytes, isInner: true)
    }

    private static func decodeCommand(_ bytes: [UInt8], isInner: Bool) throws(BinaryDecodingError) -> FleetCommand {
        var reader = BinaryReader(bytes)
        let version = try expectVersion(&reader)
        let command = try readCommand(&reader, version: version, isInner: isInner)
        try reader.expectEnd()
        return command
    }

    /// A tag and its fields; an audited command's own command (`isInner`) is no audit command, and
    /// `recordUnknownLogin` is only ever an audited command's own.
    private static func readCommand(_ reader: inout BinaryReader, version: UInt8,
                                    isInner: Bool) throws(BinaryDecodingError) -> FleetCommand {
        let tagOffset = reader.offset
        let tag = Tag(rawValue: try reader.readUInt8())
        if let tag, tag.since > version {
            throw .invalidValue(offset: tagOffset, detail: "fleet command tag \(tag.rawValue) is not in version \(version)")
        }
        if isInner, let tag, [.audited, .compactAudit, .setClusterVersion, .compactDeployments].contains(tag) {
            throw .invalidValue(offset: tagOffset, detail: "an audited command cannot be audit command \(tag.rawValue)")
        }
        if !isInner, tag == .recordUnknownLogin {
            throw .invalidValue(offset: tagOffset, detail: "an unknown name's login is only ever audited")
        }
        let command: FleetCommand
        switch tag {
        case .putEnvironment: command = .putEnvironment(try readEnvironment(&reader))
        case .deleteEnvironment:
            let name = try readText(&reader)
            command = version == 4 ? .deleteUnusedEnvironment(name: name) : .deleteEnvironment(name: name)
        case .deleteUnusedEnvironment: command = .deleteUnusedEnvironment(name: try readText(&reader))
        case .putMember: command = .putMember(try readMember(&reader))
        case .deleteMember: command = .deleteMember(name: try readText(&reader))
        case .publishAddresses: command = .publishAddresses(try readAddresses(&reader))
        case .putNode: command = .putNode(try readNode(&reader))
        case .deleteNode: command = .deleteNode(id: try readText(&reader))
        case .addTicketKey: command = .addTicketKey(try readTicketKey(&reader))
        case .revokeNode: command = .revokeNode(try readRevocation(&reader))
        case .unrevokeNode: command = .unrevokeNode(name: try readText(&reader))
        case .bootstrapAdmin: command = .bootstrapAdmin(try readUser(&reader), signingKey: try readSigningKey(&reader))
        case .addUser: command = .addUser(try readUser(&reader))
        case .deleteUser: command = .deleteUser(name: try readText(&reader))
        case .setPassword:
            command = .setPassword(name: try readText(&reader), digest: try readDigest(&reader))
        case .recordLoginFailure: command = .recordLoginFailure(name: try readText(&reader), atMilliseconds: try reader.readUInt64())
        case .recordLoginSuccess: command = .recordLoginSuccess(name: try readText(&reader))
        case .unlockUser: command = .unlockUser(name: try readText(&reader))
        case .rotateSigningKey:
            command = .rotateSigningKey(try readSigningKey(&reader), overlapMilliseconds: try reader.readUInt64())
        case .audited:
            command = .audited(try readAuditContext(&reader), try readCommand(&reader, version: version, isInner: true))
        case .recordUnknownLogin: command = .recordUnknownLogin
        case .compactAudit: command = .compactAudit(beforeMilliseconds: try reader.readUInt64())
        case .putModule: command = .putModule(try readModule(&reader))
        case .deleteModule: command = .deleteModule(name: try readText(&reader), version: try readText(&reader))
        case .setClusterVersion: command = .setClusterVersion(try readClusterVersion(&reader))
        case .setModuleSigningKeys:
            command = .setModuleSigningKeys(environment: try readText(&reader), keys: try readModuleSigningKeys(&reader))
        case .createDeployment, .decideApproval, .expireApproval, .startWave, .recordNodeInstall, .recordGateDecision,
             .controlDeployment, .recordNodeRollback, .compactDeployments:
            command = try readDeploymentCommand(tag, &reader, tagOffset: tagOffset)
        case .setRolloutPolicy: command = .setRolloutPolicy(environment: try readText(&reader), policy: try readRolloutPolicy(&reader))
        case .setApprovalWebhook:
            command = .setApprovalWebhook(environment: try readText(&reader), webhook: try readApprovalWebhook(&reader))
        case .createJoinToken: command = .createJoinToken(try readJoinToken(&reader))
        case .useJoinToken, .enrollNode: command = try readUseJoinToken(&reader, binding: tag == .enrollNode)
        case .revokeJoinToken: command = .revokeJoinToken(id: try readText(&reader))
        case nil: throw .invalidValue(offset: tagOffset, detail: "unknown fleet command tag")
        }
        return command
    }

    public static func encode(_ state: FleetState) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 256 + 64 * state.nodes.count)
        let version = snapshotVersion(of: state)
        writer.write(version)
        writer.write(state.appliedIndex)
        writeTable(state.sortedEnvironments, to: &writer, write)
        writeTable(state.sortedMembers, to: &writer, write)
        writeTable(state.advertised.values.sorted { $0.name < $1.name }, to: &writer, write)
        writeTable(state.nodes.values.sorted { $0.id < $1.id }, to: &writer, write)
        writeTable(state.ticketKeys, to: &writer, write)
        if version >= 4 { writeTable(state.sortedRevocations, to: &writer, write) }
        if version >= 5 {
            writeTable(state.sortedUsers, to: &writer, write)
            writeTable(state.signingKeys, to: &writer, write)
        }
        if version >= 6 { write(state.audit, to: &writer) }
        if version >= 7 { writer.write(state.clusterVersion ?? 0) }
        if version >= 8 { writeTable(state.sortedModuleRecords, to: &writer, write) }
        if version >= 9 { writeSigningPolicy(state.moduleSigningKeys, to: &writer) }
        if version >= 10 {
            writeTable(state.sortedDeployments, to: &writer, write)
            writeRolloutPolicies(state.rolloutPolicies, to: &writer)
        }
        if version >= 11 { writeApprovalWebhooks(state.approvalWebhooks, to: &writer) }
        if version >= 12 { writeJoinTokenTable(state.joinTokens, to: &writer) }
        if version >= 13 { writeEnrolledEnvironments(state.enrolledEnvironments, to: &writer) }
        return writer.bytes
    }

    public static func decodeState(_ bytes: [UInt8], range: Range<Int>? = nil) throws(BinaryDecodingError) -> FleetState {
        var reader = BinaryReader(bytes, range: range ?? bytes.indices)
        let version = try expectVersion(&reader)
        let appliedIndex = try reader.readUInt64()
        let environments = try readTable(&reader, maximum: FleetState.environmentsMaximum, readEnvironment)
        let members = try readTable(&reader, maximum: FleetState.membersMaximum, readMember)
        let advertised = try readTable(&reader, maximum: FleetState.membersMaximum, readAddresses)
        let nodes = try readTable(&reader, maximum: FleetState.nodesMaximum, readNode)
        let ticketKeys = version >= 3 ? try readTable(&reader, maximum: FleetState.ticketKeysMaximum, readTicketKey) : []
        let revocations = version >= 4 ? try readTable(&reader, maximum: FleetState.revocationsMaximum, readRevocation) : []
        let usersOffset = reader.offset
        let users = version >= 5 ? try readTable(&reader, maximum: FleetState.usersMaximum, readUser) : []
        let keysOffset = reader.offset
        let signingKeys = version >= 5 ? try readTable(&reader, maximum: FleetState.signingKeysMaximum, readSigningKey) : []
        let audit = version >= 6 ? try readAuditTrail(&reader, appliedIndex: appliedIndex) : AuditTrail()
        let clusterVersion = version >= 7 ? try readSnapshotClusterVersion(&reader) : nil
        let modules = version >= 8 ? try readModuleTable(&reader) : [:]
        let signingPolicyOffset = reader.offset
        let moduleSigningKeys = version >= 9 ? try readSigningPolicy(&reader) : [:]
        let deployments = version >= 10 ? try readDeploymentTable(&reader) : [:]
        let environmentNames = Set(environments.map(\.name))
        let rolloutPolicies = version >= 10 ? try readRolloutPolicies(&reader, environments: environmentNames) : [:]
        let approvalWebhooks = version >= 11 ? try readApprovalWebhooks(&reader, environments: environmentNames) : [:]
        let joinTokens = version >= 12 ? try readJoinTokenTable(&reader) : [:]
        let enrolledEnvironments = version >= 13 ? try readEnrolledEnvironments(&reader) : [:]
        try reader.expectEnd()
        if let stray = moduleSigningKeys.keys.sorted().first(where: { name in !environments.contains { $0.name == name } }) {
            throw .invalidValue(offset: signingPolicyOffset, detail: "signing keys of environment '\(stray)', which does not exist")
        }
        let usersByName = try uniqueUsers(users, tableOffset: usersOffset)
        try checkRing(signingKeys, tableOffset: keysOffset)
        return FleetState(
            environments: Dictionary(environments.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            members: Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            advertised: Dictionary(advertised.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            nodes: Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { $1 }),
            ticketKeys: ticketKeys,
            revocations: Dictionary(revocations.map { ($0.node, $0) }, uniquingKeysWith: { $1 }),
            users: usersByName,
            signingKeys: signingKeys,
            audit: audit,
            modules: modules,
            clusterVersion: clusterVersion,
            moduleSigningKeys: moduleSigningKeys,
            deployments: deployments,
            rolloutPolicies: rolloutPolicies,
            approvalWebhooks: approvalWebhooks,
            joinTokens: joinTokens, enrolledEnvironments: enrolledEnvironments,
            appliedIndex: appliedIndex)
    }

    private static func expectVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt8 {
        let found = try reader.readUInt8()
        guard versionsRead.contains(found) else { throw .unsupportedVersion(found) }
        return found
    }

    static func writeTable<Record>(_ records: [Record], to writer: inout BinaryWriter,
                                           _ write: (Record, inout BinaryWriter) -> Void) {
        writer.write(UInt32(records.count))
        for record in records { write(record, &writer) }
    }

    static func readTable<Record>(
        _ reader: inout BinaryReader, maximum: Int,
        _ read: (inout BinaryReader) throws(BinaryDecodingError) -> Record
    ) throws(BinaryDecodingError) -> [Record] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= maximum else { throw .invalidValue(offset: offset, detail: "\(count) records, over \(maximum)") }
        var records: [Record] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try read(&reader)) }
        return records
    }
}
