/// Which version a snapshot is written in: the lowest that holds what the state holds, so members of
/// older builds read it until the state holds something new (CLUSTER.md, "Rolling upgrades").
extension FleetCodec {
    /// The lowest version that holds what `state` holds: 13 with an enrolled node's binding, 12 with a join token or an
    /// audit record of one, 11 with an approval webhook or an audit record of setting one, 10 with a deployment or a rollout policy
    /// or an audit record of a deployment, approval or policy action, 9 with signing keys or an audit record of them, 8 with a module
    /// or an audit record of one, 7 with a cluster version set, 6 with an audit trail (a record, or one dropped), 5 with users
    /// or signing keys, 4 with revocations, else `versionWrittenMinimum`.
    static func snapshotVersion(of state: FleetState) -> UInt8 {
        if !state.enrolledEnvironments.isEmpty { return Tag.enrollNode.versionWritten }
        if !state.joinTokens.isEmpty || state.auditNamesJoinTokens { return Tag.createJoinToken.versionWritten }
        if !state.approvalWebhooks.isEmpty || state.auditNamesApprovalWebhook { return Tag.setApprovalWebhook.versionWritten }
        if !state.deployments.isEmpty || state.auditNamesDeployments || !state.rolloutPolicies.isEmpty || state.auditNamesRolloutPolicy {
            return Tag.createDeployment.versionWritten
        }
        if !state.moduleSigningKeys.isEmpty || state.auditNamesModuleSigningKeys { return Tag.setModuleSigningKeys.versionWritten }
        if !state.modules.isEmpty || state.auditNamesModules { return Tag.putModule.versionWritten }
        if state.clusterVersion != nil { return Tag.setClusterVersion.versionWritten }
        if !state.audit.isEmpty || state.audit.droppedLogins > 0 || state.audit.droppedWrites > 0 { return Tag.audited.versionWritten }
        if !state.users.isEmpty || !state.signingKeys.isEmpty { return Tag.addUser.versionWritten }
        return state.revocations.isEmpty ? versionWrittenMinimum : Tag.revokeNode.versionWritten
    }
}
