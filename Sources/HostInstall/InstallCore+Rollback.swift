import Primitives

/// Switching back: stop the target, point `current` at the previous version, start the previous
/// version again where it may have been stopped, then record the failure or the interruption.
extension InstallCore {
    /// Begins switching back from the intent's failed step.
    mutating func rollBack() -> [InstallAction] {
        guard var intent = record.intent else { return [] }
        guard let first = rollbackPlan(intent).first else { return finishRollback() }
        intent.step = first
        record.intent = intent
        return proceed()
    }

    /// The switch back's steps for where the operation stopped. A live failure takes only the
    /// steps its progress needs; after a restart every step is taken (each is idempotent), since
    /// whether the processes outlived the agent is not known here.
    func rollbackPlan(_ intent: InstallIntent) -> [InstallStep] {
        let reached = Self.order(intent.failedStep ?? intent.step)
        var plan: [InstallStep] = []
        if reached >= Self.order(.startTarget) { plan.append(.rollbackStopTarget) }
        if intent.interrupted || reached >= Self.order(.link) { plan.append(.rollbackLink) }
        let previousStopped = !intent.isBlueGreen && reached >= Self.order(.stopPrevious)
        if intent.previous != nil && (intent.interrupted || previousStopped || reached >= Self.order(.ensureTarget)) {
            plan.append(.rollbackStartPrevious)
        }
        return plan
    }

    /// The previous version stays committed; the result says why the target is not. The reason
    /// keeps its summary ("; back to web 1.0"): the failure's own text is cut first.
    mutating func finishRollback(previousRunning: Bool = true) -> [InstallAction] {
        guard let intent = record.intent else { return [] }
        if intent.isWithdrawal { return finishWithdrawal(intent) }
        record.intent = nil
        var restored = intent.previous.map { "\(record.module) \($0.version)" } ?? "no version of \(record.module)"
        if !previousRunning { restored += ", which is not running" }
        let active = previousRunning ? record.committed : nil
        if let reason = intent.reason {
            let restart = intent.interrupted ? " (the switch back was finished after the agent restarted)" : ""
            let summary = "; back to \(restored)\(restart)"
            let cut = reason.truncated(toUTF8Bytes: max(0, InstallLimits.reasonBytesMaximum - summary.utf8.count))
            return finish(InstallResult(operation: intent.operation, outcome: .failed, active: active, reason: cut + summary))
        }
        let step = intent.failedStep ?? intent.step
        return finish(InstallResult(operation: intent.operation, outcome: .interrupted, active: active,
                                    reason: "\(record.module) \(intent.target): the agent restarted during '\(step)'; back to \(restored)"))
    }

    /// Forward progress, for deciding what a switch back must undo.
    static func order(_ step: InstallStep) -> Int {
        switch step {
        case .unpack: 0
        case .stopPrevious: 1
        case .startTarget: 2
        case .probeTarget: 3
        case .link: 4
        case .ensureTarget, .stopPreviousAfterSwitch: 5
        case .rollbackStopTarget, .rollbackLink, .rollbackStartPrevious: 0
        }
    }
}
