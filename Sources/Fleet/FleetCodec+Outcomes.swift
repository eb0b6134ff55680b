import Primitives

/// The binary form of an outcome, part of a leader's answer to a write a follower forwarded
/// (`ClusterOutcomeCodec`, Cluster): a tag, then the case's fields. Unversioned, as nothing
/// stores it. Records are written and bounded as in commands (an outcome's records come from a
/// decoded command); the names and reasons of a rejection by the caller's bound.
extension FleetCodec {
    private enum OutcomeTag: UInt8 {
        case environmentStored = 1, environmentDeleted, memberStored, memberDeleted, addressesPublished, nodeStored, nodeDeleted
        case ticketKeyAdded, rejected, nodeRevoked, nodeUnrevoked
        case adminBootstrapped, bootstrapSkipped, userAdded, userDeleted, passwordChanged, loginFailureRecorded, accountLocked
        case loginSuccessRecorded, userUnlocked, signingKeyRotated, unknownLoginRecorded, auditCompacted, loginSuccessWhileLocked
        case clusterVersionRaised, clusterVersionKept
        case moduleStored = 32, moduleDeleted, moduleSigningKeysSet
        case deploymentStored = 35, deploymentsCompacted, deploymentSummarized
        // Tags 38 to 63 are left free.
        case rolloutPolicySet = 64, approvalWebhookSet, joinTokenCreated, joinTokenUsed, joinTokenRevoked
    }

    private enum RejectionTag: UInt8 {
        case invalidName = 1, notFound, tooManyEnvironments, invalidApprovalTimeout, tooManyMembers, invalidNode, unknownNode
        case tooManyNodes, malformedTicketKey, environmentInUse, tooManyRevocations, notRevoked
        case invalidUserName, userExists, unknownUser, tooManyUsers, lastAdmin, bootstrapNotAdmin, malformedPasswordDigest
        case malformedSigningKey, signingKeyExists, invalidKeyOverlap
        case invalidModule = 32, moduleVersionExists, unknownModule, tooManyModules, tooManyModuleVersions
        case moduleSignatureDiffers, tooManyModuleVersionsInAll, invalidModuleSigningKeys
        case unknownDeployment = 50, invalidDeployment, deploymentExists, deploymentInProgress, tooManyDeployments, invalidTransition
        case approvalExpired, invalidDeploymentStep, moduleInUse, selfApproval
        // Tags 60 to 63 are left free.
        case invalidRolloutPolicy = 64, invalidApprovalWebhook, invalidJoinToken, tooManyJoinTokens, unknownJoinToken, joinTokenRefused
    }

    public static func write(_ outcome: FleetOutcome, to writer: inout BinaryWriter) {
        switch outcome {
        case let .environmentStored(record, created):
            writer.write(OutcomeTag.environmentStored.rawValue)
            write(record, to: &writer)
            writer.write(created)
        case let .environmentDeleted(name): write(.environmentDeleted, name, to: &writer)
        case let .memberStored(record):
            writer.write(OutcomeTag.memberStored.rawValue)
            write(record, to: &writer)
        case let .memberDeleted(name): write(.memberDeleted, name, to: &writer)
        case let .addressesPublished(addresses):
            writer.write(OutcomeTag.addressesPublished.rawValue)
            write(addresses, to: &writer)
        case let .nodeStored(record, created):
            writer.write(OutcomeTag.nodeStored.rawValue)
            write(record, to: &writer)
            writer.write(created)
        case let .nodeDeleted(id): write(.nodeDeleted, id, to: &writer)
        case let .ticketKeyAdded(nameHex): write(.ticketKeyAdded, nameHex, to: &writer)
        case let .nodeRevoked(revocation):
            writer.write(OutcomeTag.nodeRevoked.rawValue)
            write(revocation, to: &writer)
        case let .nodeUnrevoked(name): write(.nodeUnrevoked, name, to: &writer)
        case let .adminBootstrapped(name): write(.adminBootstrapped, name, to: &writer)
        case .bootstrapSkipped: writer.write(OutcomeTag.bootstrapSkipped.rawValue)
        case let .userAdded(name, role):
            write(.userAdded, name, to: &writer)
            write(role, to: &writer)
        case let .userDeleted(name): write(.userDeleted, name, to: &writer)
        case let .passwordChanged(name): write(.passwordChanged, name, to: &writer)
        case let .loginFailureRecorded(name, failedLogins, lockedUntil):
            write(.loginFailureRecorded, name, to: &writer)
            writer.write(failedLogins)
            writer.write(lockedUntil)
        case let .accountLocked(name, until):
            write(.accountLocked, name, to: &writer)
            writer.write(until)
        case let .loginSuccessRecorded(name): write(.loginSuccessRecorded, name, to: &writer)
        case let .loginSuccessWhileLocked(name, until):
            write(.loginSuccessWhileLocked, name, to: &writer)
            writer.write(until)
        case let .userUnlocked(name): write(.userUnlocked, name, to: &writer)
        case let .signingKeyRotated(idHex): write(.signingKeyRotated, idHex, to: &writer)
        case .unknownLoginRecorded: writer.write(OutcomeTag.unknownLoginRecorded.rawValue)
        case let .auditCompacted(removed):
            writer.write(OutcomeTag.auditCompacted.rawValue)
            writer.write(UInt64(truncatingIfNeeded: removed))
        case let .moduleStored(record, created):
            writer.write(OutcomeTag.moduleStored.rawValue)
            write(record, to: &writer)
            writer.write(created)
        case let .moduleDeleted(name, version):
            write(.moduleDeleted, name, to: &writer)
            writer.write(version)
        case let .moduleSigningKeysSet(environment, keys):
            write(.moduleSigningKeysSet, environment, to: &writer)
            writeModuleSigningKeys(keys, to: &writer)
        case .deploymentStored, .deploymentsCompacted, .deploymentSummarized: writeDeploymentOutcome(outcome, to: &writer)
        case .rolloutPolicySet, .approvalWebhookSet: writeEnvironmentSetting(outcome, to: &writer)
        case .joinTokenCreated, .joinTokenUsed, .joinTokenRevoked: writeJoinTokenOutcome(outcome, to: &writer)
        case let .clusterVersionRaised(version): write(.clusterVersionRaised, byte: version, to: &writer)
        case let .clusterVersionKept(version): write(.clusterVersionKept, byte: version, to: &writer)
        case let .rejected(rejection):
            writer.write(OutcomeTag.rejected.rawValue)
            write(rejection, to: &writer)
        }
    }

    public static func readOutcome(_ reader: inout BinaryReader,
                                   textBytesMaximum: Int) throws(BinaryDecodingError) -> FleetOutcome {
        let offset = reader.offset
        switch OutcomeTag(rawValue: try reader.readUInt8()) {
        case .environmentStored: return .environmentStored(try readEnvironment(&reader), created: try reader.readBool())
        case .environmentDeleted: return .environmentDeleted(name: try readText(&reader))
        case .memberStored: return .memberStored(try readMember(&reader))
        case .memberDeleted: return .memberDeleted(name: try readText(&reader))
        case .addressesPublished: return .addressesPublished(try readAddresses(&reader))
        case .nodeStored: return .nodeStored(try readNode(&reader), created: try reader.readBool())
        case .nodeDeleted: return .nodeDeleted(id: try readText(&reader))
        case .ticketKeyAdded: return .ticketKeyAdded(nameHex: try reader.readString(maximumBytes: textBytesMaximum))
        case .nodeRevoked: return .nodeRevoked(try readRevocation(&reader))
        case .nodeUnrevoked: return .nodeUnrevoked(name: try readText(&reader))
        case .adminBootstrapped: return .adminBootstrapped(name: try readText(&reader))
        case .bootstrapSkipped: return .bootstrapSkipped
        case .userAdded: return .userAdded(name: try readText(&reader), role: try readRole(&reader))
        case .userDeleted: return .userDeleted(name: try readText(&reader))
        case .passwordChanged: return .passwordChanged(name: try readText(&reader))
        case .loginFailureRecorded:
            return .loginFailureRecorded(name: try readText(&reader), failedLogins: try reader.readUInt8(),
                                         lockedUntilMilliseconds: try reader.readUInt64())
        case .accountLocked: return .accountLocked(name: try readText(&reader), untilMilliseconds: try reader.readUInt64())
        case .loginSuccessRecorded: return .loginSuccessRecorded(name: try readText(&reader))
        case .loginSuccessWhileLocked:
            return .loginSuccessWhileLocked(name: try readText(&reader), untilMilliseconds: try reader.readUInt64())
        case .userUnlocked: return .userUnlocked(name: try readText(&reader))
        case .signingKeyRotated: return .signingKeyRotated(idHex: try reader.readString(maximumBytes: textBytesMaximum))
        case .unknownLoginRecorded: return .unknownLoginRecorded
        case .auditCompacted:
            let removed = try reader.readUInt64()
            guard removed <= UInt64(AuditTrail.recordsMaximum) else {
                throw .invalidValue(offset: offset + 1, detail: "\(removed) audit records removed, over \(AuditTrail.recordsMaximum)")
            }
            return .auditCompacted(removed: Int(removed))
        case .moduleStored: return .moduleStored(try readModule(&reader), created: try reader.readBool())
        case .moduleDeleted: return .moduleDeleted(name: try readText(&reader), version: try readText(&reader))
        case .moduleSigningKeysSet:
            return .moduleSigningKeysSet(environment: try readText(&reader), keys: try readModuleSigningKeys(&reader))
        case .rolloutPolicySet: return .rolloutPolicySet(environment: try readText(&reader), policy: try readRolloutPolicy(&reader))
        case .joinTokenCreated: return .joinTokenCreated(try readJoinToken(&reader))
        case .joinTokenUsed:
            return .joinTokenUsed(id: try readText(&reader), node: try readText(&reader), usesRemaining: try reader.readUInt32())
        case .joinTokenRevoked: return .joinTokenRevoked(id: try readText(&reader))
        case .approvalWebhookSet:
            return .approvalWebhookSet(environment: try readText(&reader), webhook: try readApprovalWebhook(&reader))
        case .clusterVersionRaised: return .clusterVersionRaised(try reader.readUInt8())
        case .clusterVersionKept: return .clusterVersionKept(try reader.readUInt8())
        case .deploymentStored: return .deploymentStored(try readDeployment(&reader), change: try readDeploymentChange(&reader))
        case .deploymentsCompacted:
            let removed = try reader.readUInt64()
            guard removed <= UInt64(FleetState.deploymentsMaximum) else {
                throw .invalidValue(offset: offset + 1, detail: "\(removed) deployments removed, over \(FleetState.deploymentsMaximum)")
            }
            return .deploymentsCompacted(removed: Int(removed))
        case .deploymentSummarized: return .deploymentSummarized(try readDeploymentHeadline(&reader))
        case .rejected: return .rejected(try readRejection(&reader, textBytesMaximum: textBytesMaximum))
        case nil: throw .invalidValue(offset: offset, detail: "unknown fleet outcome")
        }
    }

    private static func writeDeploymentOutcome(_ outcome: FleetOutcome, to writer: inout BinaryWriter) {
        switch outcome {
        case let .deploymentStored(record, change):
            writer.write(OutcomeTag.deploymentStored.rawValue)
            write(record, to: &writer)
            write(change, to: &writer)
        case let .deploymentsCompacted(removed):
            writer.write(OutcomeTag.deploymentsCompacted.rawValue)
            writer.write(UInt64(truncatingIfNeeded: removed))
        case let .deploymentSummarized(headline):
            writer.write(OutcomeTag.deploymentSummarized.rawValue)
            write(headline, to: &writer)
        default: assertionFailure("not a deployment outcome")
        }
    }

    /// An environment's rollout policy or approval webhook set: the tag, the name, then the setting.
    private static func writeEnvironmentSetting(_ outcome: FleetOutcome, to writer: inout BinaryWriter) {
        switch outcome {
        case let .rolloutPolicySet(environment, policy):
            write(.rolloutPolicySet, environment, to: &writer)
            writeRolloutPolicy(policy, to: &writer)
        case let .approvalWebhookSet(environment, webhook):
            write(.approvalWebhookSet, environment, to: &writer)
            writeApprovalWebhook(webhook, to: &writer)
        default: break
        }
    }

    private static func write(_ tag: OutcomeTag, _ text: String, to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        writer.write(text)
    }

    private static func write(_ tag: OutcomeTag, byte: UInt8, to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        writer.write(byte)
    }

    private static func write(_ rejection: FleetRejection, to writer: inout BinaryWriter) {
        switch rejection {
        case let .invalidName(name): write(.invalidName, text: name, to: &writer)
        case let .notFound(name): write(.notFound, text: name, to: &writer)
        case let .tooManyEnvironments(maximum): write(.tooManyEnvironments, number: maximum, to: &writer)
        case let .invalidApprovalTimeout(seconds):
            writer.write(RejectionTag.invalidApprovalTimeout.rawValue)
            writer.write(seconds)
        case let .tooManyMembers(maximum): write(.tooManyMembers, number: maximum, to: &writer)
        case let .invalidNode(reason): write(.invalidNode, text: reason, to: &writer)
        case let .unknownNode(id): write(.unknownNode, text: id, to: &writer)
        case let .tooManyNodes(maximum): write(.tooManyNodes, number: maximum, to: &writer)
        case .malformedTicketKey: writer.write(RejectionTag.malformedTicketKey.rawValue)
        case let .environmentInUse(name, count, example):
            write(.environmentInUse, text: name, to: &writer)
            writer.write(UInt64(truncatingIfNeeded: count))
            writer.write(example)
        case let .tooManyRevocations(maximum): write(.tooManyRevocations, number: maximum, to: &writer)
        case let .notRevoked(name): write(.notRevoked, text: name, to: &writer)
        case let .invalidUserName(name): write(.invalidUserName, text: name, to: &writer)
        case let .userExists(name): write(.userExists, text: name, to: &writer)
        case let .unknownUser(name): write(.unknownUser, text: name, to: &writer)
        case let .tooManyUsers(maximum): write(.tooManyUsers, number: maximum, to: &writer)
        case let .lastAdmin(name): write(.lastAdmin, text: name, to: &writer)
        case let .bootstrapNotAdmin(name): write(.bootstrapNotAdmin, text: name, to: &writer)
        case .malformedPasswordDigest: writer.write(RejectionTag.malformedPasswordDigest.rawValue)
        case .malformedSigningKey: writer.write(RejectionTag.malformedSigningKey.rawValue)
        case let .signingKeyExists(idHex): write(.signingKeyExists, text: idHex, to: &writer)
        case let .invalidKeyOverlap(milliseconds):
            writer.write(RejectionTag.invalidKeyOverlap.rawValue)
            writer.write(milliseconds)
        case let .invalidModule(reason): write(.invalidModule, text: reason, to: &writer)
        case let .moduleVersionExists(name, version, recordedHex):
            write(.moduleVersionExists, text: name, to: &writer)
            writer.write(version)
            writer.write(recordedHex)
        case let .unknownModule(name, version):
            write(.unknownModule, text: name, to: &writer)
            writer.write(version)
        case let .tooManyModules(maximum): write(.tooManyModules, number: maximum, to: &writer)
        case let .tooManyModuleVersions(name, maximum):
            write(.tooManyModuleVersions, text: name, to: &writer)
            writer.write(UInt64(truncatingIfNeeded: maximum))
        case let .moduleSignatureDiffers(name, version, recordedSigned):
            write(.moduleSignatureDiffers, text: name, to: &writer)
            writer.write(version)
            writer.write(recordedSigned)
        case let .tooManyModuleVersionsInAll(maximum): write(.tooManyModuleVersionsInAll, number: maximum, to: &writer)
        case let .invalidModuleSigningKeys(reason): write(.invalidModuleSigningKeys, text: reason, to: &writer)
        case let .unknownDeployment(id): write(.unknownDeployment, text: id, to: &writer)
        case let .invalidDeployment(reason): write(.invalidDeployment, text: reason, to: &writer)
        case let .deploymentExists(id): write(.deploymentExists, text: id, to: &writer)
        case let .deploymentInProgress(id): write(.deploymentInProgress, text: id, to: &writer)
        case let .tooManyDeployments(maximum): write(.tooManyDeployments, number: maximum, to: &writer)
        case let .invalidTransition(id, from, action):
            write(.invalidTransition, text: id, to: &writer)
            writer.write(from.rawValue)
            writer.write(action)
        case let .approvalExpired(id): write(.approvalExpired, text: id, to: &writer)
        case let .invalidDeploymentStep(id, reason):
            write(.invalidDeploymentStep, text: id, to: &writer)
            writer.write(reason)
        case let .invalidRolloutPolicy(reason): write(.invalidRolloutPolicy, text: reason, to: &writer)
        case let .invalidApprovalWebhook(reason): write(.invalidApprovalWebhook, text: reason, to: &writer)
        case .invalidJoinToken, .tooManyJoinTokens, .unknownJoinToken, .joinTokenRefused: writeJoinTokenRejection(rejection, to: &writer)
        case let .moduleInUse(name, version, deployment): write(.moduleInUse, texts: [name, version, deployment], to: &writer)
        case let .selfApproval(id, user): write(.selfApproval, texts: [id, user], to: &writer)
        }
    }

    private static func writeJoinTokenOutcome(_ outcome: FleetOutcome, to writer: inout BinaryWriter) {
        switch outcome {
        case let .joinTokenCreated(record):
            writer.write(OutcomeTag.joinTokenCreated.rawValue)
            write(record, to: &writer)
        case let .joinTokenUsed(id, node, uses):
            write(.joinTokenUsed, id, to: &writer)
            writer.write(node)
            writer.write(uses)
        case let .joinTokenRevoked(id): write(.joinTokenRevoked, id, to: &writer)
        default: break
        }
    }

    private static func writeJoinTokenRejection(_ rejection: FleetRejection, to writer: inout BinaryWriter) {
        switch rejection {
        case let .invalidJoinToken(reason): write(.invalidJoinToken, text: reason, to: &writer)
        case let .tooManyJoinTokens(maximum): write(.tooManyJoinTokens, number: maximum, to: &writer)
        case let .unknownJoinToken(id): write(.unknownJoinToken, text: id, to: &writer)
        case .joinTokenRefused: writer.write(RejectionTag.joinTokenRefused.rawValue)
        default: break
        }
    }

    private static func write(_ tag: RejectionTag, texts: [String], to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        for text in texts { writer.write(text) }
    }

    private static func write(_ tag: RejectionTag, text: String, to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        writer.write(text)
    }

    /// A maximum as the 64 bits of its `Int`.
    private static func write(_ tag: RejectionTag, number: Int, to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        writer.write(UInt64(truncatingIfNeeded: number))
    }

    private static func readRejection(_ reader: inout BinaryReader,
                                      textBytesMaximum: Int) throws(BinaryDecodingError) -> FleetRejection {
        let offset = reader.offset
        let tag = RejectionTag(rawValue: try reader.readUInt8())
        func text() throws(BinaryDecodingError) -> String { try reader.readString(maximumBytes: textBytesMaximum) }
        func number() throws(BinaryDecodingError) -> Int { Int(truncatingIfNeeded: try reader.readUInt64()) }
        switch tag {
        case .invalidName: return .invalidName(try text())
        case .notFound: return .notFound(try text())
        case .tooManyEnvironments: return .tooManyEnvironments(maximum: try number())
        case .invalidApprovalTimeout: return .invalidApprovalTimeout(try reader.readUInt32())
        case .tooManyMembers: return .tooManyMembers(maximum: try number())
        case .invalidNode: return .invalidNode(try text())
        case .unknownNode: return .unknownNode(try text())
        case .tooManyNodes: return .tooManyNodes(maximum: try number())
        case .malformedTicketKey: return .malformedTicketKey
        case .environmentInUse: return .environmentInUse(try text(), nodes: try number(), example: try text())
        case .tooManyRevocations: return .tooManyRevocations(maximum: try number())
        case .notRevoked: return .notRevoked(try text())
        case .invalidUserName: return .invalidUserName(try text())
        case .userExists: return .userExists(try text())
        case .unknownUser: return .unknownUser(try text())
        case .tooManyUsers: return .tooManyUsers(maximum: try number())
        case .lastAdmin: return .lastAdmin(try text())
        case .bootstrapNotAdmin: return .bootstrapNotAdmin(try text())
        case .malformedPasswordDigest: return .malformedPasswordDigest
        case .malformedSigningKey: return .malformedSigningKey
        case .signingKeyExists: return .signingKeyExists(try text())
        case .invalidKeyOverlap: return .invalidKeyOverlap(milliseconds: try reader.readUInt64())
        case .invalidModule: return .invalidModule(try text())
        case .moduleVersionExists: return .moduleVersionExists(name: try text(), version: try text(), recordedHex: try text())
        case .unknownModule: return .unknownModule(name: try text(), version: try text())
        case .tooManyModules: return .tooManyModules(maximum: try number())
        case .tooManyModuleVersions: return .tooManyModuleVersions(name: try text(), maximum: try number())
        case .moduleSignatureDiffers:
            return .moduleSignatureDiffers(name: try text(), version: try text(), recordedSigned: try reader.readBool())
        case .tooManyModuleVersionsInAll: return .tooManyModuleVersionsInAll(maximum: try number())
        case .invalidModuleSigningKeys: return .invalidModuleSigningKeys(try text())
        case .unknownDeployment: return .unknownDeployment(try text())
        case .invalidDeployment: return .invalidDeployment(try text())
        case .deploymentExists: return .deploymentExists(try text())
        case .deploymentInProgress: return .deploymentInProgress(id: try text())
        case .tooManyDeployments: return .tooManyDeployments(maximum: try number())
        case .invalidTransition:
            return .invalidTransition(id: try text(), from: try readRaw(&reader, "deployment state"), action: try text())
        case .approvalExpired: return .approvalExpired(id: try text())
        case .invalidDeploymentStep: return .invalidDeploymentStep(id: try text(), reason: try text())
        case .invalidRolloutPolicy: return .invalidRolloutPolicy(try text())
        case .invalidApprovalWebhook: return .invalidApprovalWebhook(try text())
        case .invalidJoinToken: return .invalidJoinToken(try text())
        case .tooManyJoinTokens: return .tooManyJoinTokens(maximum: try number())
        case .unknownJoinToken: return .unknownJoinToken(try text())
        case .joinTokenRefused: return .joinTokenRefused
        case .moduleInUse: return .moduleInUse(name: try text(), version: try text(), deployment: try text())
        case .selfApproval: return .selfApproval(id: try text(), user: try text())
        case nil: throw .invalidValue(offset: offset, detail: "unknown fleet rejection")
        }
    }
}
