/// The install state machine of one module on one host (Docs/MODULES.md, "Installing on a host"):
/// events in (a command, a step done or failed, a restart), actions out (persist, unpack, start,
/// stop, probe, link, prune, report). No clock, files or processes: the shell does what the
/// actions say, in order, and reports each step back. Every step is persisted in the record's
/// intent before its action, so a restart converges to one consistent version.
public struct InstallCore: Sendable {
    public internal(set) var record: InstallRecord
    /// Previous versions kept beside the committed one (`InstallLimits.retainedVersionsRange`).
    public let retainedMaximum: Int

    /// `retainedMaximum` outside `InstallLimits.retainedVersionsRange` is clamped into it: the
    /// shell refuses such a setting where it reads it (`InstallLimits.retainedRefusal`).
    public init(record: InstallRecord, retainedMaximum: Int = InstallLimits.retainedVersionsDefault) {
        self.record = record
        let range = InstallLimits.retainedVersionsRange
        self.retainedMaximum = min(max(retainedMaximum, range.lowerBound), range.upperBound)
    }

    public mutating func handle(_ event: InstallEvent) -> [InstallAction] {
        switch event {
        case let .command(command): return accept(command)
        case let .unpacked(port, alternatePort): return unpacked(port: port, alternatePort: alternatePort)
        case let .done(step): return done(step)
        case let .failed(step, reason): return failed(step, reason: reason)
        case .restarted: return restarted()
        case let .stopped(version): return stopped(version)
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
        if let intent = record.intent {
            let reason = intent.operation == operation ? "this operation is in progress (step: \(intent.step))"
                : "operation \(intent.operation) is in progress (step: \(intent.step))"
            let persistTerm = command.term > record.term ? raise(command) : []
            return persistTerm + [.report(result(operation, .busy, reason: reason))]
        }
        if let earlier = record.completed.last(where: { $0.operation == operation }), earlier.outcome != .interrupted {
            return raise(command) + [.report(earlier)]
        }
        if command.term == record.term && command.sequence < record.sequence {
            return [.report(result(operation, .refused, reason: "command \(command.sequence) of term \(command.term) is older than "
                                   + "command \(record.sequence), the newest this host has seen for \(record.module); it is stale"))]
        }
        // Not recorded: an id the record cannot hold, or versions that may still run.
        if let refusal = operation.refusal() { return raise(command) + [.report(result(operation, .refused, reason: refusal))] }
        if record.toStop.count >= InstallLimits.toStopMaximum {
            return raise(command) + [.report(result(operation, .refused, reason: "\(record.toStop.count) versions of \(record.module) "
                                                    + "could not be stopped (\(record.toStop.joined(separator: ", "))); "
                                                    + "no command runs until they are"))]
        }
        _ = raise(command)
        let target: String
        switch operation.kind {
        case let .install(version): target = version
        case let .switchBack(from):
            guard let committed = record.committed, committed.version == from else {
                let committed = record.committed.map { "\($0.version) is" } ?? "nothing is"
                return finish(result(operation, .installed, reason: "\(from) is not committed (\(committed)): nothing to switch back"))
            }
            guard let newest = record.retained.first else { return withdraw(committed, for: operation) }
            target = newest
        }
        if target == record.committed?.version {
            return finish(result(operation, .installed, reason: nil))
        }
        record.intent = InstallIntent(operation: operation, target: target, strategy: command.strategy, step: .unpack,
                                      previous: record.committed)
        return [.persist(record), .unpack(version: target)]
    }

    /// Takes the command's term and sequence when newer than the record's: a persist when they changed.
    private mutating func raise(_ command: InstallCommand) -> [InstallAction] {
        if command.term > record.term {
            record.term = command.term
            record.sequence = command.sequence
        } else if command.term == record.term && command.sequence > record.sequence {
            record.sequence = command.sequence
        } else {
            return []
        }
        return [.persist(record)]
    }

    /// After a restart: with nothing in flight, only versions a crash left before the prune go
    /// (the committed version's process is the supervisor's to adopt); before the commit point the
    /// host switches back to the previous version, past it the install is finished; either way
    /// the result says `interrupted`.
    private mutating func restarted() -> [InstallAction] {
        guard var intent = record.intent else { return [.prune(keeping: record.keptVersions)] }
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

    /// A version that may have kept running is stopped: it leaves the list and may be pruned.
    private mutating func stopped(_ version: String) -> [InstallAction] {
        guard record.toStop.contains(version) else { return [] }
        record.toStop.removeAll { $0 == version }
        return [.persist(record), .prune(keeping: record.keptVersions)]
    }

    /// Adds `version` to the versions that may still run (the record caps the list).
    mutating func markToStop(_ version: String) {
        if !record.toStop.contains(version) { record.toStop.append(version) }
    }

    /// Records `result` as completed (forgetting the oldest beyond the bound) and answers it.
    mutating func finish(_ result: InstallResult) -> [InstallAction] {
        record.completed.removeAll { $0.operation == result.operation }
        record.completed.append(result)
        return [.persist(record), .prune(keeping: record.keptVersions), .report(result)]
    }

    func result(_ operation: OperationID, _ outcome: InstallResult.Outcome, reason: String?) -> InstallResult {
        InstallResult(operation: operation, outcome: outcome, active: record.committed, reason: reason)
    }
}
