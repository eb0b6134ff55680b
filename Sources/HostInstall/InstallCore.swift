/// The install state machine of one module on one host (Docs/MODULES.md, "Installing on a host"):
/// events in (a command, a step done or failed, a restart), actions out (persist, unpack, start,
/// stop, probe, link, prune, report). No clock, files or processes: the shell does what the
/// actions say, in order, and reports each step back. Every step is persisted in the record's
/// intent before its action, so a restart converges to one consistent version.
public struct InstallCore: Sendable {
    public internal(set) var record: InstallRecord
    /// Previous versions kept beside the committed one (`InstallLimits.retainedVersionsRange`).
    public let retainedMaximum: Int

    public init(record: InstallRecord, retainedMaximum: Int = InstallLimits.retainedVersionsDefault) {
        precondition(InstallLimits.retainedVersionsRange.contains(retainedMaximum), "retained versions out of range")
        self.record = record
        self.retainedMaximum = retainedMaximum
    }

    public mutating func handle(_ event: InstallEvent) -> [InstallAction] {
        switch event {
        case let .command(command): return accept(command)
        case let .unpacked(port, alternatePort): return unpacked(port: port, alternatePort: alternatePort)
        case let .done(step): return done(step)
        case let .failed(step, reason): return failed(step, reason: reason)
        case .restarted: return restarted()
        }
    }

    /// A command: refused when stale or malformed, answered from the table when repeated, busy
    /// while another is in flight; otherwise its intent is persisted and the unpack begins.
    private mutating func accept(_ command: InstallCommand) -> [InstallAction] {
        let operation = command.operation
        guard command.term >= record.term else {
            return [.report(result(operation, .refused, reason: "term \(command.term) is older than term \(record.term), "
                                   + "the newest this host has seen; the command comes from a former leader"))]
        }
        let termRaised = command.term > record.term
        record.term = command.term
        let persistTerm: [InstallAction] = termRaised ? [.persist(record)] : []
        if let intent = record.intent {
            let reason = intent.operation == operation ? "this operation is in progress (step: \(intent.step))"
                : "operation \(intent.operation) is in progress (step: \(intent.step))"
            return persistTerm + [.report(result(operation, .busy, reason: reason))]
        }
        if let earlier = record.completed.last(where: { $0.operation == operation }), earlier.outcome != .interrupted {
            return persistTerm + [.report(earlier)]
        }
        // Not recorded: an id the record cannot hold.
        if let refusal = operation.refusal() { return persistTerm + [.report(result(operation, .refused, reason: refusal))] }
        let target: String
        switch operation.kind {
        case let .install(version): target = version
        case .switchBack:
            guard let newest = record.retained.first else {
                return finish(result(operation, .refused, reason: "no earlier version of \(record.module) is retained to switch back to"))
            }
            target = newest
        }
        if target == record.committed?.version {
            return finish(result(operation, .installed, reason: nil))
        }
        record.intent = InstallIntent(operation: operation, target: target, strategy: command.strategy, step: .unpack,
                                      previous: record.committed)
        return [.persist(record), .unpack(version: target)]
    }

    /// After a restart: nothing in flight is nothing to do (the committed version's process is
    /// the supervisor's to adopt); before the commit point the host switches back to the previous
    /// version, past it the install is finished; either way the result says `interrupted`.
    private mutating func restarted() -> [InstallAction] {
        guard var intent = record.intent else { return [] }
        intent.interrupted = true
        if intent.failedStep == nil && intent.step.isPastCommitPoint {
            intent.step = .ensureTarget
            record.intent = intent
            return proceed()
        }
        if intent.failedStep == nil { intent.failedStep = intent.step }
        record.intent = intent
        return rollBack()
    }

    /// Records `result` as completed (forgetting the oldest beyond the bound) and answers it.
    mutating func finish(_ result: InstallResult) -> [InstallAction] {
        record.completed.removeAll { $0.operation == result.operation }
        record.completed.append(result)
        if record.completed.count > InstallLimits.completedOperationsMaximum {
            record.completed.removeFirst(record.completed.count - InstallLimits.completedOperationsMaximum)
        }
        return [.persist(record), .prune(keeping: record.keptVersions), .report(result)]
    }

    func result(_ operation: OperationID, _ outcome: InstallResult.Outcome, reason: String?) -> InstallResult {
        InstallResult(operation: operation, outcome: outcome, active: record.committed, reason: reason)
    }
}
