import Primitives

/// The forward steps: unpack → (in place: stop previous) → start → probe → switch `current` →
/// (blue-green: stop previous) → commit; and the commit itself.
extension InstallCore {
    /// The unpack finished: choose the target's port, or fail when blue-green has no second port.
    mutating func unpacked(port: Int?, alternatePort: Int?) -> [InstallAction] {
        guard var intent = record.intent, intent.step == .unpack, intent.failedStep == nil else { return [] }
        if intent.isBlueGreen {
            guard let port, let alternatePort else {
                intent.failedStep = .unpack
                intent.reason = "blue-green needs both port and alternatePort in the manifest of \(record.module) \(intent.target); "
                    + "it declares \(Self.text(port)) and \(Self.text(alternatePort)) (install it in place instead)"
                record.intent = intent
                return rollBack()
            }
            // The target takes whichever of the two ports the previous version is not serving on.
            intent.targetPort = intent.previous?.port == alternatePort ? port : alternatePort
            intent.step = .startTarget
        } else {
            intent.targetPort = port
            intent.step = intent.previous == nil ? .startTarget : .stopPrevious
        }
        record.intent = intent
        return proceed()
    }

    /// The step in flight finished: take the next one, or commit, or finish switching back.
    mutating func done(_ step: InstallStep) -> [InstallAction] {
        guard var intent = record.intent, intent.step == step, step != .unpack else { return [] }
        if step.isRollback {
            let plan = rollbackPlan(intent)
            guard let index = plan.firstIndex(of: step), index + 1 < plan.count else { return finishRollback() }
            intent.step = plan[index + 1]
            record.intent = intent
            return proceed()
        }
        let next: InstallStep?
        switch step {
        case .stopPrevious: next = .startTarget
        case .startTarget: next = .probeTarget
        case .probeTarget: next = .link
        case .link, .ensureTarget: next = intent.isBlueGreen ? .stopPreviousAfterSwitch : nil
        default: next = nil
        }
        guard let next else { return commit(note: nil) }
        intent.step = next
        record.intent = intent
        return proceed()
    }

    /// The step in flight failed. Before the commit point the host switches back; stopping the
    /// previous version after the switch failing still commits, with the reason in the result and
    /// the previous version listed to be stopped. A switch-back step that fails is added to the
    /// reason: a target that could not be stopped is listed to be stopped (and not pruned), a
    /// previous version that could not be started again leaves the result with no active version.
    mutating func failed(_ step: InstallStep, reason: String) -> [InstallAction] {
        guard var intent = record.intent, intent.step == step else { return [] }
        let failure = reason.truncated(toUTF8Bytes: InstallLimits.stepFailureBytesMaximum)
        if step == .stopPreviousAfterSwitch {
            if let previous = intent.previous { markToStop(previous.version) }
            return commit(note: "switched, but stopping \(intent.previous?.version ?? "the previous version") failed: \(failure)")
        }
        if step.isRollback {
            let text = "switching back failed at '\(step)': \(failure)"
            intent.reason = intent.reason.map { "\($0); \(text)" } ?? text
            record.intent = intent
            if step == .rollbackStopTarget { markToStop(intent.target) }
            if step == .rollbackStartPrevious { return finishRollback(previousRunning: false) }
            return done(step)
        }
        intent.failedStep = step
        intent.reason = "\(record.module) \(intent.target): \(step) failed: \(failure)"
        record.intent = intent
        return rollBack()
    }

    /// Persists the intent at its step, then that step's action. A step that needs the previous
    /// version when there is none (which no record the core makes or decodes holds) counts as done.
    mutating func proceed() -> [InstallAction] {
        guard let intent = record.intent else { return [] }
        let action: InstallAction
        switch intent.step {
        case .unpack: action = .unpack(version: intent.target)
        case .startTarget, .ensureTarget: action = .start(version: intent.target, port: intent.targetPort)
        case .probeTarget: action = .probe(version: intent.target, port: intent.targetPort)
        case .link: action = .link(version: intent.target)
        case .rollbackStopTarget: action = .stop(version: intent.target)
        case .rollbackLink: action = .link(version: intent.previous?.version)
        case .stopPrevious, .stopPreviousAfterSwitch, .rollbackStartPrevious:
            guard let previous = intent.previous else { return done(intent.step) }
            action = intent.step == .rollbackStartPrevious ? .start(version: previous.version, port: previous.port)
                : .stop(version: previous.version)
        }
        return [.persist(record), action]
    }

    /// The target becomes the committed version; the previous one heads the retained list.
    mutating func commit(note: String?) -> [InstallAction] {
        guard let intent = record.intent else { return [] }
        var retained = record.retained.filter { $0 != intent.target && $0 != intent.previous?.version }
        if let previous = intent.previous { retained.insert(previous.version, at: 0) }
        record.retained = Array(retained.prefix(retainedMaximum))
        record.committed = ActiveVersion(version: intent.target, port: intent.targetPort)
        record.toStop.removeAll { $0 == intent.target }
        record.intent = nil
        let reason = intent.interrupted ? "the agent restarted after the switch to \(intent.target); the install was finished" : nil
        let notes = [reason, note].compactMap { $0 }
        return finish(result(intent.operation, intent.interrupted ? .interrupted : .installed,
                             reason: notes.isEmpty ? nil : notes.joined(separator: "; ")))
    }

    static func text(_ port: Int?) -> String { port.map { "port \($0)" } ?? "no port" }
}
