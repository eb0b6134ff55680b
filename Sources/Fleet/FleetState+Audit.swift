/// What the audit commands do to the state (Docs/AUDIT.md): an audited write applies its command
/// and records it with the outcome (a login's success checks the lock at the context's time; a
/// module's upload time more than 5 minutes from the context's is replaced by it);
/// compaction drops what is older than the leader's cut-off. No clock: every time comes from a command.
extension FleetState {
    mutating func audited(_ context: AuditContext, _ command: FleetCommand) -> FleetOutcome {
        let outcome: FleetOutcome
        switch command {
        case let .recordLoginSuccess(name):
            outcome = recordLoginSuccess(name, atMilliseconds: context.atMilliseconds)
        case var .putModule(record):
            // The upload's time obeys the context's rule: more than 5 minutes from the leader's stamp, the stamp.
            record.uploadedAtMilliseconds = AuditContext.time(record.uploadedAtMilliseconds, within: context.atMilliseconds)
            outcome = putModule(record)
        default:
            outcome = decide(command)
        }
        audit.append(AuditRecord(index: appliedIndex, context: context, command: command, outcome: outcome))
        return outcome
    }

    mutating func compactAudit(beforeMilliseconds: UInt64) -> FleetOutcome {
        .auditCompacted(removed: audit.compact(beforeMilliseconds: beforeMilliseconds))
    }
}
