/// What the audit commands do to the state (Docs/AUDIT.md): an audited write applies its command
/// and records it with the outcome (a login's success checks the lock at the context's time);
/// compaction drops what is older than the leader's cut-off. No clock: every time comes from a command.
extension FleetState {
    mutating func audited(_ context: AuditContext, _ command: FleetCommand) -> FleetOutcome {
        let outcome = if case let .recordLoginSuccess(name) = command {
            recordLoginSuccess(name, atMilliseconds: context.atMilliseconds)
        } else {
            decide(command)
        }
        audit.append(AuditRecord(index: appliedIndex, context: context, command: command, outcome: outcome))
        return outcome
    }

    mutating func compactAudit(beforeMilliseconds: UInt64) -> FleetOutcome {
        .auditCompacted(removed: audit.compact(beforeMilliseconds: beforeMilliseconds))
    }
}
