/// What the audit commands do to the state (Docs/AUDIT.md): an audited write applies its command
/// and records it with the outcome; a login for an unknown name is recorded alone; compaction drops
/// what is older than the leader's cut-off. No clock: every time comes from a command.
extension FleetState {
    mutating func audited(_ context: AuditContext, _ command: FleetCommand) -> FleetOutcome {
        let outcome = decide(command)
        audit.append(AuditRecord(index: appliedIndex, context: context, command: command, outcome: outcome))
        return outcome
    }

    mutating func auditUnknownLogin(_ context: AuditContext) -> FleetOutcome {
        audit.append(AuditRecord(index: appliedIndex, atMilliseconds: context.atMilliseconds, user: context.user, role: context.role,
                                 source: context.source, action: .authLogin, target: AuditContext.unknownUser, outcome: "failure"))
        return .auditRecorded
    }

    mutating func compactAudit(beforeMilliseconds: UInt64) -> FleetOutcome {
        .auditCompacted(removed: audit.compact(beforeMilliseconds: beforeMilliseconds))
    }
}
