import Primitives

/// A switch back from the only version there is (a first install that a deployment rolls back):
/// there is no earlier version to return to, so the host returns to running nothing of the
/// module. It is the switch back of a first install that failed at the switch of `current`, taken
/// on purpose: the version leaves the committed slot in the same write that records the intent,
/// then it is stopped and `current` is removed, each step persisted first, so a restart finishes
/// it the same way (Docs/MODULES.md, "The steps").
extension InstallCore {
    /// Begins withdrawing `committed` for `operation` (a switch back from it).
    mutating func withdraw(_ committed: ActiveVersion, for operation: OperationID) -> [InstallAction] {
        record.committed = nil
        record.intent = InstallIntent(operation: operation, target: committed.version, strategy: .inPlace, step: .rollbackStopTarget,
                                      previous: nil, targetPort: committed.port, failedStep: .link)
        return proceed()
    }

    /// The withdrawal's result: `installed` with no active version when every step went through,
    /// `failed` with the reason when stopping the version failed (it is then on the to-stop list).
    mutating func finishWithdrawal(_ intent: InstallIntent) -> [InstallAction] {
        record.intent = nil
        let summary = "no earlier version of \(record.module) is retained: \(intent.target) is withdrawn and none runs"
        let restart = intent.interrupted ? " (finished after the agent restarted)" : ""
        guard let reason = intent.reason else {
            return finish(InstallResult(operation: intent.operation, outcome: .installed, active: nil, reason: summary + restart))
        }
        let tail = "; \(summary)\(restart)"
        let cut = reason.truncated(toUTF8Bytes: max(0, InstallLimits.reasonBytesMaximum - tail.utf8.count))
        return finish(InstallResult(operation: intent.operation, outcome: .failed, active: nil, reason: cut + tail))
    }
}

extension InstallIntent {
    /// Whether this is a withdrawal: a switch back whose target is the version it undoes (an
    /// ordinary switch back targets the retained version it returns to).
    var isWithdrawal: Bool {
        if case let .switchBack(from) = operation.kind { return from == target }
        return false
    }
}
