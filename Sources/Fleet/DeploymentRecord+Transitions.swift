import Primitives
import Rollout

/// The moves a deployment's commands share: finishing, rolling back, passing a wave and closing a
/// wave whose installs are done (Docs/DEPLOYMENTS.md, "Replicated deployments"). Pure; the commands
/// check first and call these only for a move they allow.
extension DeploymentRecord {
    /// `text` cut to the bound of a stored reason.
    static func reasonText(_ text: String) -> String {
        text.truncated(toUTF8Bytes: textBytesMaximum)
    }

    /// Ends it: each wave keeps only its last `WaveRecord.decisionsKeptFinished` decisions (their
    /// count stays), so a finished deployment holds little beyond its plan and baselines.
    mutating func finish(_ terminal: DeploymentState, at: UInt64, reason: String) {
        assert(terminal.isTerminal, "finishing in a state that is not terminal")
        state = terminal
        stateReason = Self.reasonText(reason)
        finishedAtMilliseconds = at
        pausedAtMilliseconds = nil
        for wave in waves.indices where waves[wave].decisions.count > WaveRecord.decisionsKeptFinished {
            waves[wave].decisions = Array(waves[wave].decisions.suffix(WaveRecord.decisionsKeptFinished))
        }
    }

    /// An approval still pending is withdrawn by `user` (an abort or a rollback before the decision).
    mutating func withdrawApproval(by user: String, at: UInt64) {
        guard var approval, approval.decision == .pending else { return }
        approval.decision = .withdrawn
        approval.decidedBy = Self.reasonText(user)
        approval.decidedAtMilliseconds = at
        self.approval = approval
    }

    /// Every node of a started wave that may run the new version (installing, installed, or whose
    /// install failed part-way) rolls back; with none, the deployment is rolled back at once.
    mutating func beginRollback(at: UInt64, reason: String) {
        state = .rollingBack
        stateReason = Self.reasonText(reason)
        var rolling = 0
        for index in nodes.indices where waves[Int(nodes[index].wave)].state != .pending {
            switch nodes[index].state {
            case .installing, .installed, .installFailed:
                nodes[index].state = .rollingBack
                rolling += 1
            case .pending, .rollingBack, .rolledBack, .rollbackFailed:
                break
            }
        }
        if rolling == 0 { finish(.rolledBack, at: at, reason: reason + "; no node to roll back") }
    }

    /// Ends the rollback once no node is rolling back: rolled back, or failed when a node could not.
    mutating func finishRollbackIfDone(at: UInt64) {
        guard state == .rollingBack, !nodes.contains(where: { $0.state == .rollingBack }) else { return }
        let failed = nodes.count { $0.state == .rollbackFailed }
        if failed == 0 {
            finish(.rolledBack, at: at, reason: "every node is back on its previous version")
        } else {
            finish(.failed, at: at, reason: "\(failed) node\(failed == 1 ? "" : "s") could not roll back")
        }
    }

    /// Paused by the deployment's own failure (`gate.onFailure` is pause).
    mutating func pause(at: UInt64, reason: String) {
        state = .paused
        stateReason = Self.reasonText(reason)
        pausedAtMilliseconds = at
    }

    /// Running again after a pause: a gating wave's time zero moves forward by the time it spent
    /// paused (counted from its gating start when that came later), so its waits and the elapsed
    /// time of its next poll go on from where the pause stopped them.
    mutating func resume(at: UInt64) {
        state = .running
        if let wave = activeWave, let since = waves[wave].gatingSinceMilliseconds, let pausedAt = pausedAtMilliseconds {
            let span = at >= max(pausedAt, since) ? at - max(pausedAt, since) : 0
            waves[wave].gatingSinceMilliseconds = since &+ span
        }
        pausedAtMilliseconds = nil
    }

    /// The wave passes; the last one's passing ends the deployment succeeded.
    mutating func passWave(_ wave: Int, by passage: WavePassage, at: UInt64) {
        waves[wave].state = .passed
        waves[wave].passedBy = passage
        if waves.allSatisfy({ $0.state == .passed }) {
            finish(.succeeded, at: at, reason: "all \(waves.count) wave\(waves.count == 1 ? "" : "s") passed")
        } else {
            stateReason = "wave \(wave) passed"
        }
    }

    /// A wave whose nodes are all done installing moves on: to its gate when none failed, else it
    /// fails and the deployment follows `gate.onFailure` (a failed install is never a dry run:
    /// record-only rolls back too). Nil while a node of the wave is still installing.
    mutating func closeWaveIfInstalled(_ wave: Int, at: UInt64) -> WaveState? {
        let members = nodeIndices(ofWave: wave)
        guard waves[wave].state == .installing, !members.contains(where: { nodes[$0].state == .installing }) else { return nil }
        let failed = members.count { nodes[$0].state == .installFailed }
        if failed == 0 {
            waves[wave].state = .gating
            waves[wave].gatingSinceMilliseconds = at
            stateReason = "wave \(wave) installed; gating"
            return .gating
        }
        let failure = "\(failed) of \(members.count) node\(members.count == 1 ? "" : "s") of wave \(wave) failed to install"
        waves[wave].state = .failed
        waves[wave].failure = failure
        switch gate.onFailure {
        case .pause:
            pause(at: at, reason: failure + "; paused")
        case .rollback, .recordOnly:
            beginRollback(at: at, reason: failure + "; rolling back")
        }
        return .failed
    }
}
